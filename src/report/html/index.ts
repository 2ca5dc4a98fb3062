import type {CheckResult} from '../../check/check-result.js'
import {formatRestarts} from '../terminal-report.js'
import {escapeHtml} from './escape.js'
import {renderEvidence} from './evidence.js'
import {renderPage} from './page.js'
import {renderVerdictMatrix} from './verdict-matrix.js'

export interface HtmlReportOptions {
  /** The page title; `faultline check SCENARIO` by default. */
  title?: string
}

/**
 * A check result as one self-contained HTML page: the verdict matrix, then for every broken
 * contract and every group of inconclusive trials a sequence diagram with its replay command.
 * Pure, and needs nothing but the result, so a result read back from `--json` renders the same.
 */
export function formatHtmlReport(result: CheckResult, options: HtmlReportOptions = {}): string {
  const title = options.title ?? `faultline check ${result.scenario}`
  const met = result.endpoints.filter((e) => e.met).length
  const facts = [
    `${met} of ${result.endpoints.length} endpoint${result.endpoints.length === 1 ? '' : 's'} met their expectation`,
    `seed ${result.seed}`,
    `${(result.durationMs / 1000).toFixed(1)} s`,
    ...(result.restarts.length > 0 ? [formatRestarts(result.restarts)] : []),
  ]
  const header =
    `<h1>${escapeHtml(title)}</h1><p class="summary">${escapeHtml(facts.join(' · '))}</p>` +
    (result.aborted
      ? `<p class="alert" role="alert">Run aborted (${escapeHtml(result.aborted.code)}): ${escapeHtml(result.aborted.message.split('\n')[0] ?? '')}</p>`
      : '')
  const evidence = result.endpoints.map((e, i) => renderEvidence(e, i)).filter((html) => html !== '')
  const main =
    `<section aria-labelledby="verdicts"><h2 id="verdicts">Verdicts</h2>\n${renderVerdictMatrix(result.endpoints)}</section>\n` +
    `<section aria-labelledby="evidence"><h2 id="evidence">Evidence</h2>\n` +
    (evidence.length > 0
      ? evidence.join('\n')
      : '<p>No contract was broken and no trial was inconclusive.</p>') +
    `</section>`
  return renderPage({title, header, main})
}
