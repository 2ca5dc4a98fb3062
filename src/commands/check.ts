import {Args, Flags} from '@oclif/core'
import type {CheckResult} from '../check/check-result.js'
import {toJsonResult, type CheckJson} from '../check/json-result.js'
import {runCheck} from '../check/run-check.js'
import {EXIT} from '../errors.js'
import {EventLog} from '../events/event-log.js'
import {EventsFileWriter} from '../report/event-file-writer.js'
import {formatJUnitReport} from '../report/junit-report.js'
import {formatMarkdownReport} from '../report/markdown-report.js'
import {ProgressLine} from '../report/progress-line.js'
import {claimReportFile, type ReportFile} from '../report/report-file.js'
import {formatCheckReport} from '../report/terminal-report.js'
import {loadScenario} from '../scenario/load-scenario.js'
import {ProcessReaper} from '../supervisor/reaper.js'
import {FaultlineCommand} from './base-command.js'

export default class Check extends FaultlineCommand {
  static override summary = 'Run a scenario: inject faults per endpoint and report which delivery contracts hold'
  static override description = `Starts the server (when the scenario says how), puts a fault-injecting proxy in front of it,
runs a clean baseline and the planned trials for every endpoint, and prints a verdict per
endpoint: at-least-once, at-most-once, exactly-once, idempotent, reply-consistent.

Exit codes: 0 every expectation met, 1 an expectation failed, 2 bad usage or scenario,
3 the environment failed (server would not start, port taken).`
  static override examples = [
    '<%= config.bin %> check fixtures/demo.yaml',
    '<%= config.bin %> check fixtures/demo.yaml --seed 42 --only naive-increment --trial 13',
    '<%= config.bin %> check scenario.yaml --json > verdicts.json',
  ]
  static override enableJsonFlag = true
  static override args = {
    scenario: Args.string({description: 'scenario file (YAML)', required: true}),
  }
  static override flags = {
    seed: Flags.integer({description: 'seed for every random choice; the same seed gives the same faults', min: 0}),
    only: Flags.string({description: 'check only this endpoint'}),
    trial: Flags.integer({description: 'run only this trial of the --only endpoint (see a replay line)', min: 1, dependsOn: ['only']}),
    events: Flags.string({description: 'write every event (deliveries, faults, replies) to FILE as JSON lines'}),
    junit: Flags.string({description: 'also write the verdicts as JUnit XML to FILE (one test case per endpoint: its expectation)'}),
    markdown: Flags.string({description: 'also write a Markdown summary to FILE (e.g. $GITHUB_STEP_SUMMARY)'}),
    force: Flags.boolean({description: 'overwrite the --events, --junit or --markdown file if it exists', default: false}),
  }

  async run(): Promise<CheckJson | undefined> {
    const {args, flags} = await this.parse(Check)
    const scenario = await loadScenario(args.scenario)
    const events = new EventLog()
    // Report files are claimed before the run, so a bad path fails at once, not after it.
    let junitFile: ReportFile | undefined
    let markdownFile: ReportFile | undefined
    let writer: EventsFileWriter | undefined
    try {
      if (flags.junit) junitFile = claimReportFile('--junit', flags.junit, flags.force)
      if (flags.markdown) markdownFile = claimReportFile('--markdown', flags.markdown, flags.force, true)
      if (flags.events) writer = new EventsFileWriter(events, flags.events, flags.force)
    } catch (err) {
      junitFile?.abandon()
      markdownFile?.abandon()
      throw err
    }
    const reaper = new ProcessReaper().install()
    const abort = new AbortController()
    const progress = process.stderr.isTTY && !this.jsonEnabled() ? new ProgressLine(process.stderr) : undefined
    let result: CheckResult
    try {
      result = await runCheck({
        scenario,
        scenarioArg: args.scenario,
        seed: flags.seed,
        only: flags.only,
        trial: flags.trial,
        events,
        reaper,
        signal: abort.signal,
        onStart: (seed) => {
          if (!this.jsonEnabled()) process.stderr.write(`faultline: seed ${seed}\n`)
        },
        onTrial: progress ? (endpoint, done, total) => progress.update(endpoint, done, total) : undefined,
        onServer: ({logFile}) => {
          if (!this.jsonEnabled() && logFile) process.stderr.write(`faultline: server log: ${logFile}\n`)
        },
      })
    } catch (err) {
      junitFile?.abandon()
      markdownFile?.abandon()
      throw err
    } finally {
      progress?.clear()
      await writer?.close()
      reaper.dispose()
    }
    junitFile?.write(formatJUnitReport(result))
    markdownFile?.write(formatMarkdownReport(result))
    // An environment failure mid-run still reports what finished, then exits with its own code.
    process.exitCode = result.aborted ? result.aborted.exitCode : result.ok ? EXIT.ok : EXIT.expectationFailed
    if (this.jsonEnabled()) return toJsonResult(result)
    this.log(formatCheckReport(result, {color: this.useColor()}))
    if (result.aborted) process.stderr.write(`faultline: ${result.aborted.message}\n`)
    return undefined
  }
}
