import {Flags} from '@oclif/core'
import type {CheckResult} from '../check/check-result.js'
import {toJsonResult} from '../check/json-result.js'
import {EXIT} from '../errors.js'
import {jsonResultChunks} from '../report/json-result-stream.js'
import {checkDistinctOutputs} from '../report/output-paths.js'
import {claimReportFile, type ReportFile} from '../report/report-file.js'
import {REPORT_FORMATS, type ReportFormatName} from '../report/report-formats.js'
import {formatCheckReport} from '../report/terminal-report.js'
import {FaultlineCommand} from './base-command.js'

const NAMES = Object.keys(REPORT_FORMATS) as ReportFormatName[]

/** `--junit FILE`, `--markdown FILE`, `--html FILE` (one flag per report format), and `--force`. */
export const resultFlags = {
  junit: Flags.string({description: `write ${REPORT_FORMATS.junit.description} to FILE`}),
  markdown: Flags.string({description: `write ${REPORT_FORMATS.markdown.description} to FILE`}),
  html: Flags.string({description: `write ${REPORT_FORMATS.html.description} to FILE`}),
  force: Flags.boolean({description: 'overwrite a report file that exists', default: false}),
}

type ResultFlags = Partial<Record<ReportFormatName, string>> & {force: boolean}

/** How a run with this result exits: 0 met, 1 an expectation failed, or the abort's own code (3). */
export function exitCodeOf(result: CheckResult): number {
  return result.aborted ? result.aborted.exitCode : result.ok ? EXIT.ok : EXIT.expectationFailed
}

/**
 * A command that shows a check result it did not run itself (a merged or saved one) the way
 * `check` shows its own: report files, then the terminal report or `--json`, and the exit code
 * the run would have had.
 */
export abstract class ResultCommand extends FaultlineCommand {
  protected async present(result: CheckResult, flags: ResultFlags): Promise<undefined> {
    checkDistinctOutputs(Object.fromEntries(NAMES.map((name) => [`--${name}`, flags[name]])))
    const claimed: Array<{file: ReportFile; name: ReportFormatName}> = []
    try {
      for (const name of NAMES) {
        const path = flags[name]
        if (path !== undefined) claimed.push({name, file: claimReportFile(`--${name}`, path, flags.force, REPORT_FORMATS[name].append)})
      }
    } catch (err) {
      for (const {file} of claimed) file.abandon()
      throw err
    }
    for (const {file, name} of claimed) file.write(REPORT_FORMATS[name].format(result))
    process.exitCode = exitCodeOf(result)
    if (this.jsonEnabled()) {
      // Written trial by trial, as check writes it; returning nothing leaves oclif nothing to print.
      await this.logJsonChunks(jsonResultChunks(result), () => toJsonResult(result))
      return undefined
    }
    this.log(formatCheckReport(result, {color: this.useColor()}))
    if (result.aborted) process.stderr.write(`faultline: ${result.aborted.message}\n`)
    return undefined
  }
}
