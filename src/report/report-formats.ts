import type {CheckResult} from '../check/check-result.js'
import {formatHtmlReport} from './html/index.js'
import {formatJUnitReport} from './junit-report.js'
import {formatMarkdownReport} from './markdown-report.js'

/** A report file format that `merge` and `report` can write from a result. */
export interface ReportFormat {
  /** What the file holds, for the flag's help. */
  description: string
  format: (result: CheckResult) => string
  /** Add to an existing file (a CI step summary) instead of refusing to overwrite it. */
  append: boolean
}

/**
 * The report files a saved result can be rendered to, by flag name. One entry per format:
 * `merge` and `report` take a `--NAME FILE` flag for each (resultFlags in commands/result-command.ts).
 */
export const REPORT_FORMATS = {
  junit: {description: 'JUnit XML (one test case per endpoint: its expectation)', format: formatJUnitReport, append: false},
  markdown: {description: 'a Markdown summary, appended (e.g. $GITHUB_STEP_SUMMARY)', format: formatMarkdownReport, append: true},
  html: {description: 'a self-contained HTML report (verdict matrix, a sequence diagram per broken contract)', format: (result) => formatHtmlReport(result), append: false},
} satisfies Record<string, ReportFormat>

export type ReportFormatName = keyof typeof REPORT_FORMATS
