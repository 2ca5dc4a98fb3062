import type {FindingName} from './findings.js'
import type {UnmetRequirement} from './requirements.js'
import type {AuditResult} from './run-audit.js'

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

/** A Markdown summary for CI job pages (`$GITHUB_STEP_SUMMARY`): one findings table per route. */
export function formatAuditMarkdown(result: AuditResult, required: readonly FindingName[], unmet: readonly UnmetRequirement[]): string {
  const lines = [`## faultline audit \`${result.upstream}\``, '', `${result.protocol} · seed \`${result.seed}\` · ${result.runs.length} run(s) · ${(result.durationMs / 1000).toFixed(1)} s`]
  if (required.length > 0) lines.push('', unmet.length === 0 ? `✅ every required finding holds: ${required.join(', ')}` : `❌ ${cell(unmet.map((u) => `${u.rule}: ${u.found} on ${u.route}`).join('; '))}`)
  for (const route of result.routes) {
    lines.push('', `### ${cell(route.route)}`, '', '| finding | answer | how it was seen |', '|---|---|---|')
    for (const f of route.findings) {
      const mark = f.wanted === undefined || f.status === 'not observed' ? '' : f.status === f.wanted ? '✅ ' : '❌ '
      lines.push(`| ${f.name}${required.includes(f.name) ? ' *' : ''} | ${mark}${f.status} | ${cell(f.summary)} |`)
    }
  }
  return `${lines.join('\n')}\n`
}
