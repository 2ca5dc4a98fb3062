import {Args, Flags} from '@oclif/core'
import type {CheckResult} from '../check/check-result.js'
import {toJsonResult} from '../check/json-result.js'
import {jsonResultChunks} from '../report/json-result-stream.js'
import {runCheck} from '../check/run-check.js'
import {RunDir} from '../check/run-dir.js'
import {parseShard, type Shard} from '../check/shard.js'
import {EXIT} from '../errors.js'
import {EventLog} from '../events/event-log.js'
import {EventsFileWriter} from '../report/event-file-writer.js'
import {formatHtmlReport} from '../report/html/index.js'
import {formatJUnitReport} from '../report/junit-report.js'
import {formatMarkdownReport} from '../report/markdown-report.js'
import {checkDistinctOutputs} from '../report/output-paths.js'
import {ProgressLine} from '../report/progress-line.js'
import {claimReportFile, type ReportFile} from '../report/report-file.js'
import {formatCheckReport} from '../report/terminal-report.js'
import {scenarioForCheck} from '../init/source-scenario.js'
import {FaultlineCommand} from './base-command.js'
import {exitCodeOf} from './result-command.js'
import {RunInterrupt} from './interrupt.js'

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
    '<%= config.bin %> check fixtures/demo.yaml --seed 42 --only naive-increment --trial 13 --candidate 1',
    '<%= config.bin %> check fixtures/demo.yaml --no-shrink',
    '<%= config.bin %> check scenario.yaml --json > verdicts.json',
    '<%= config.bin %> check fixtures/demo.yaml --html report.html',
    '<%= config.bin %> check --from traffic.har --upstream http://127.0.0.1:3000 --profiles drop-reply,duplicate',
  ]
  static override enableJsonFlag = true
  static override args = {
    scenario: Args.string({description: 'scenario file (YAML); or give --from', required: false}),
  }
  static override flags = {
    from: Flags.string({description: 'replay a HAR recording (or an OpenAPI document, a .proto) instead of a scenario file: the scenario faultline init --from would write'}),
    upstream: Flags.string({description: 'with --from: base URL of the server to test (target.url); required unless the recording went to loopback'}),
    profiles: Flags.string({description: 'with --from: profiles for every endpoint, comma-separated (default drop-request,drop-reply,duplicate,delay-past-timeout)'}),
    seed: Flags.integer({description: 'seed for every random choice (0 to 2^53-1); the same seed gives the same faults', min: 0, max: Number.MAX_SAFE_INTEGER}),
    only: Flags.string({description: 'check only this endpoint'}),
    trial: Flags.integer({description: 'run only this trial of the --only endpoint (see a replay line)', min: 1, dependsOn: ['only']}),
    candidate: Flags.integer({description: 'with --trial: run its N-th simpler candidate instead, as a "replay minimal" line says', min: 1, dependsOn: ['trial']}),
    shrink: Flags.boolean({
      description: 'search each broken contract for the simplest fault that still breaks it (at most 8 re-runs per breach, 30 s per endpoint); --no-shrink turns it off',
      default: true,
      allowNo: true,
    }),
    shard: Flags.custom<Shard>({description: 'run only slice INDEX/TOTAL of the trials (CI matrix; needs --seed), e.g. 2/3; combine with faultline merge', parse: async (text) => parseShard(text)})(),
    events: Flags.string({description: 'write every event (deliveries, faults, replies) to FILE as JSON lines'}),
    junit: Flags.string({description: 'also write the verdicts as JUnit XML to FILE (one test case per endpoint: its expectation)'}),
    markdown: Flags.string({description: 'also write a Markdown summary to FILE (e.g. $GITHUB_STEP_SUMMARY)'}),
    html: Flags.string({description: 'also write a self-contained HTML report to FILE: verdict matrix, and a sequence diagram per broken contract'}),
    force: Flags.boolean({description: 'overwrite the --events, --junit, --markdown or --html file if it exists', default: false}),
    'keep-run-dir': Flags.boolean({
      description: 'keep the run folder (server log, {{runDir}} data) even when the run passed; a failed run always keeps it',
      default: false,
    }),
  }

  async run(): Promise<undefined> {
    const {args, flags} = await this.parse(Check)
    checkDistinctOutputs({'--events': flags.events, '--junit': flags.junit, '--markdown': flags.markdown, '--html': flags.html})
    const {scenario, scenarioArg, replayArgs} = await scenarioForCheck({file: args.scenario, from: flags.from, upstream: flags.upstream, profiles: flags.profiles})
    const events = new EventLog()
    // Report files are claimed before the run, so a bad path fails at once, not after it.
    const reports: Array<{file: ReportFile; format: (result: CheckResult) => string}> = []
    let writer: EventsFileWriter | undefined
    const abandonReports = () => reports.forEach((report) => report.file.abandon())
    let runDir: RunDir
    try {
      if (flags.junit) reports.push({file: claimReportFile('--junit', flags.junit, flags.force), format: formatJUnitReport})
      if (flags.markdown) reports.push({file: claimReportFile('--markdown', flags.markdown, flags.force, true), format: formatMarkdownReport})
      if (flags.html) reports.push({file: claimReportFile('--html', flags.html, flags.force), format: (r) => formatHtmlReport(r)})
      if (flags.events) writer = new EventsFileWriter(events, flags.events, flags.force)
      // Last: a flag refused above leaves no run folder behind.
      runDir = RunDir.create()
    } catch (err) {
      abandonReports()
      await writer?.close()
      throw err
    }
    const interrupt = new RunInterrupt((signal) => {
      const again = signal === 'SIGINT' ? 'press Ctrl-C' : `send ${signal}`
      process.stderr.write(`faultline: ${signal}: stopping the run; ${again} again to stop at once\n`)
    }).install()
    const progress = process.stderr.isTTY && !this.jsonEnabled() ? new ProgressLine(process.stderr) : undefined
    let result: CheckResult | undefined
    let failure: unknown
    try {
      result = await runCheck({
        scenario,
        scenarioArg,
        replayArgs,
        ...selectionFlags(flags),
        shard: flags.shard,
        events,
        reaper: interrupt.reaper,
        signal: interrupt.signal,
        runDir,
        onStart: (seed) => {
          if (!this.jsonEnabled()) process.stderr.write(`faultline: seed ${seed}\n`)
        },
        onTrial: progress ? (endpoint, done, total) => progress.update(endpoint, done, total) : undefined,
        onServer: ({logFile}) => {
          // Only a folder known to be kept is worth naming while the run goes on.
          if (flags['keep-run-dir'] && logFile) process.stderr.write(`faultline: server log: ${logFile}\n`)
        },
      })
    } catch (err) {
      failure = err
    } finally {
      progress?.clear()
      await writer?.close()
      interrupt.dispose()
    }
    const interrupted = interrupt.received
    // An interrupted run leaves nothing behind (its processes and ports are gone too); a failed
    // one keeps its folder as evidence.
    const kept = await this.finishRunDir(runDir, flags['keep-run-dir'], interrupted === undefined && result?.ok !== true)
    if (interrupted !== undefined || result === undefined) {
      abandonReports()
      if (interrupted !== undefined) {
        interrupt.dieOf(interrupted)
        return undefined
      }
      throw failure
    }
    if (!kept) result = withoutServerLog(result)
    for (const report of reports) report.file.write(report.format(result))
    process.exitCode = checkExitCode(result)
    if (this.jsonEnabled()) return this.printJson(result)
    this.log(formatCheckReport(result, {color: this.useColor()}))
    if (result.shard) process.stderr.write(`faultline: shard ${result.shard.index}/${result.shard.total}: verdicts over this slice only; faultline merge gives the run's\n`)
    if (result.aborted) process.stderr.write(`faultline: ${result.aborted.message}\n`)
    return undefined
  }

  /**
   * The `--json` document, written here trial by trial rather than returned: oclif prints what
   * `run` returns as one text, so `run` returns nothing and oclif prints nothing more.
   */
  private async printJson(result: CheckResult): Promise<undefined> {
    await this.logJsonChunks(jsonResultChunks(result), () => toJsonResult(result))
    return undefined
  }

  /**
   * Keep the run folder when asked, or when the run failed and left something in it (the
   * server log), and say where it is; otherwise remove it. True when kept.
   */
  private async finishRunDir(runDir: RunDir, asked: boolean, failed: boolean): Promise<boolean> {
    if (asked || (failed && !runDir.isEmpty())) {
      process.stderr.write(`faultline: run folder kept: ${runDir.path}\n`)
      return true
    }
    await runDir.remove()
    return false
  }
}

/** The flags that choose what runs, as runCheck takes them. */
function selectionFlags(flags: {seed?: number; only?: string; trial?: number; candidate?: number; shrink: boolean}) {
  return {seed: flags.seed, only: flags.only, trial: flags.trial, candidate: flags.candidate, shrink: flags.shrink}
}

/**
 * An environment failure mid-run still reports what finished, then exits with its own code.
 * A shard's verdicts cover its slice only: it exits 0, and `faultline merge` gives the run's exit code.
 */
function checkExitCode(result: CheckResult): number {
  return result.shard && !result.aborted ? EXIT.ok : exitCodeOf(result)
}

/** The result without the server log's path: its folder is gone. */
function withoutServerLog(result: CheckResult): CheckResult {
  const {serverLog: _gone, ...rest} = result
  return rest
}
