import {resolve} from 'node:path'
import {Flags} from '@oclif/core'
import {AUDIT_PROTOCOLS, type AuditProtocol} from '../audit/audit-proxy.js'
import {auditProfiles} from '../audit/audit-profiles.js'
import {toAuditJson, type AuditJson} from '../audit/audit-json.js'
import {formatAuditJUnit} from '../audit/audit-junit-report.js'
import {formatAuditMarkdown} from '../audit/audit-markdown-report.js'
import {formatAuditReport} from '../audit/audit-terminal-report.js'
import {DEFAULT_GROUP_WINDOW_MS} from '../audit/grouping.js'
import {checkRequirements, describeUnmet, parseRequirements} from '../audit/requirements.js'
import {runAudit, type AuditResult} from '../audit/run-audit.js'
import type {TcpAuditOptions} from '../audit/audit-proxy.js'
import {EXIT, UsageError} from '../errors.js'
import {EventLog} from '../events/event-log.js'
import {ProtoCatalog, ProtoError} from '../grpc/proto.js'
import {jsonPathProblem} from '../jsonpath.js'
import {newSeed} from '../random.js'
import {framingFromFlags} from '../record/record-options.js'
import {checkDistinctOutputs} from '../report/output-paths.js'
import {claimReportFile, type ReportFile} from '../report/report-file.js'
import {parseDuration} from '../scenario/duration.js'
import {FaultlineCommand} from './base-command.js'
import {RunInterrupt} from './interrupt.js'

function duration(flag: string, text: string): number {
  try {
    return parseDuration(text)
  } catch (err) {
    throw new UsageError(`--${flag}: ${(err as Error).message}`)
  }
}

export default class Audit extends FaultlineCommand {
  static override summary = "Run any workload through the fault proxy and report its client's retry policy"
  static override description = `Puts the protocol's fault proxy in front of --upstream, runs the workload command
(after --) with FAULTLINE_PROXY_URL set and {{proxyUrl}}, {{proxyAddress}}, {{run}} substituted in its
arguments, injects the profiles' faults into first attempts of operations on a seeded schedule, and
reports per route: which failures the client retries, whether it keeps one request id, whether it
retries non-idempotent calls without a key, its attempt cap, backoff, and whether it honours
Retry-After and gRPC pushback. See docs/audit.md.

Exit codes: 0 done (every --require rule holds), 1 a --require rule failed, 2 bad usage,
3 the environment failed (the workload cannot be started, a port could not be bound).`
  static override examples = [
    '<%= config.bin %> audit --upstream http://127.0.0.1:3000 --runs 10 -- node client.mjs PUT {{proxyUrl}}/kv/{{run}}',
    '<%= config.bin %> audit --upstream http://127.0.0.1:3000 --require retries-503,same-request-id -- npm test',
    '<%= config.bin %> audit --protocol grpc --proto bank.proto --upstream grpc://127.0.0.1:50051 -- node client.mjs {{proxyAddress}}',
    '<%= config.bin %> audit --protocol tcp --upstream tcp://127.0.0.1:7000 --framing length-prefixed --reply-id $.id --route $.op -- node client.mjs {{proxyUrl}}',
  ]
  static override enableJsonFlag = true
  static override flags = {
    upstream: Flags.string({description: 'the server the workload talks to (http://host:port, grpc://host:port, tcp://host:port)', required: true}),
    protocol: Flags.string({description: 'protocol of the traffic', options: [...AUDIT_PROTOCOLS], default: 'http'}),
    proto: Flags.string({description: 'gRPC: the .proto file of the services (needed to fault unary calls)'}),
    framing: Flags.string({description: 'tcp: how messages are framed (default ndjson)', options: ['ndjson', 'length-prefixed']}),
    'header-bytes': Flags.string({description: 'tcp, length-prefixed: size of the length header', options: ['1', '2', '4']}),
    'byte-order': Flags.string({description: 'tcp, length-prefixed: byte order of the length header', options: ['big', 'little']}),
    'max-frame-bytes': Flags.integer({description: 'tcp: the largest frame accepted (default 1 MiB)', min: 1}),
    'reply-id': Flags.string({description: 'tcp: JSONPath of the id that pairs a reply with its request, e.g. $.id (default: replies in order)'}),
    'request-id': Flags.string({description: 'tcp: JSONPath of the request key in a frame, e.g. $.requestId (default: a request_id, requestId, idempotency_key or idempotencyKey field)'}),
    route: Flags.string({description: 'tcp: JSONPath of the frame field that names its route, e.g. $.op'}),
    profiles: Flags.string({description: 'comma-separated fault profiles to inject (default: one per retry finding of the protocol)'}),
    'profiles-file': Flags.string({description: 'a YAML profile file whose profiles --profiles may name'}),
    runs: Flags.integer({description: 'run the workload command this many times, one after the other', min: 1, max: 10000, default: 1}),
    timeout: Flags.string({description: 'deadline of each run; its whole process group is then stopped', default: '60s'}),
    grace: Flags.string({description: 'between SIGTERM and SIGKILL when a run is stopped', default: '2s'}),
    'fault-attempts': Flags.integer({description: 'consecutive attempts of a faulted operation that get its fault (≥ 3 shows a backoff schedule)', min: 1, max: 100, default: 1}),
    'group-window': Flags.string({description: 'how long after a failed attempt a request with the same method, target and body counts as its retry', default: `${DEFAULT_GROUP_WINDOW_MS / 1000}s`}),
    seed: Flags.integer({description: 'seed of the fault schedule (0 to 2^53-1)', min: 0, max: Number.MAX_SAFE_INTEGER}),
    require: Flags.string({description: 'comma-separated findings that must hold on every route (exit 1 otherwise), e.g. retries-503,same-request-id'}),
    junit: Flags.string({description: 'also write JUnit XML to FILE (one test case per route and finding)'}),
    markdown: Flags.string({description: 'also append a Markdown summary to FILE (e.g. $GITHUB_STEP_SUMMARY)'}),
    force: Flags.boolean({description: 'overwrite the --junit file if it exists', default: false}),
    verbose: Flags.boolean({description: 'list every operation, its attempts and why they were grouped', default: false}),
  }

  async run(): Promise<AuditJson | undefined> {
    // faultline's flags are parsed up to `--`; the workload is taken verbatim after it.
    const separator = this.argv.indexOf('--')
    const command = separator === -1 ? [] : this.argv.slice(separator + 1)
    const {flags} = await this.parse(Audit, separator === -1 ? this.argv : this.argv.slice(0, separator))
    if (command.length === 0) throw new UsageError('give the workload command after --, e.g. faultline audit --upstream http://127.0.0.1:3000 -- node client.mjs {{proxyUrl}}')
    const protocol = flags.protocol as AuditProtocol
    checkUpstream(protocol, flags.upstream)
    const required = parseRequirements(flags.require)
    const timeoutMs = duration('timeout', flags.timeout)
    const graceMs = duration('grace', flags.grace)
    const groupWindowMs = duration('group-window', flags['group-window'])
    const catalog = protocol === 'grpc' ? loadCatalog(flags.proto) : undefined
    const tcp = tcpOptions(protocol, flags)
    const names = flags.profiles?.split(',').map((s) => s.trim()).filter(Boolean)
    const profiles = await auditProfiles(protocol, names, flags['profiles-file'])
    checkDistinctOutputs({'--junit': flags.junit, '--markdown': flags.markdown})
    let junitFile: ReportFile | undefined
    let markdownFile: ReportFile | undefined
    if (flags.junit) junitFile = claimReportFile('--junit', flags.junit, flags.force)
    if (flags.markdown) markdownFile = claimReportFile('--markdown', flags.markdown, flags.force, true)
    const seed = flags.seed ?? newSeed()
    if (!this.jsonEnabled()) process.stderr.write(`faultline: seed ${seed}\n`)
    const interrupt = new RunInterrupt((signal) => {
      process.stderr.write(`faultline: ${signal}: stopping the workload; press Ctrl-C again to stop at once\n`)
    }).install()
    let result: AuditResult
    try {
      result = await runAudit({
        protocol,
        upstream: flags.upstream,
        catalog,
        tcp,
        profiles,
        seed,
        faultAttempts: flags['fault-attempts'],
        groupWindowMs,
        command,
        runs: flags.runs,
        timeoutMs,
        graceMs,
        events: new EventLog(),
        signal: interrupt.signal,
        reaper: interrupt.reaper,
        output: process.stderr,
      })
    } catch (err) {
      junitFile?.abandon()
      markdownFile?.abandon()
      throw err
    } finally {
      interrupt.dispose()
    }
    if (interrupt.received !== undefined) {
      junitFile?.abandon()
      markdownFile?.abandon()
      interrupt.dieOf(interrupt.received)
      return undefined
    }
    const unmet = checkRequirements(required, result.routes)
    junitFile?.write(formatAuditJUnit(result, required))
    markdownFile?.write(formatAuditMarkdown(result, required, unmet))
    process.exitCode = unmet.length === 0 ? EXIT.ok : EXIT.expectationFailed
    if (this.jsonEnabled()) return toAuditJson(result, required, unmet)
    this.log(formatAuditReport(result, {color: this.useColor(), verbose: flags.verbose, required, unmet}))
    if (unmet.length > 0) process.stderr.write(`faultline: ${describeUnmet(unmet)}\n`)
    return undefined
  }

}

function checkUpstream(protocol: AuditProtocol, upstream: string): void {
  let url: URL
  try {
    url = new URL(upstream)
  } catch {
    throw new UsageError(`--upstream: "${upstream}" is not a URL; write e.g. http://127.0.0.1:3000`)
  }
  const schemes = protocol === 'grpc' ? ['grpc:', 'http:'] : protocol === 'tcp' ? ['tcp:'] : ['http:']
  if (!schemes.includes(url.protocol) || url.port === '') {
    throw new UsageError(`--upstream: "${upstream}" for --protocol ${protocol} must be ${protocol === 'grpc' ? 'grpc' : protocol === 'tcp' ? 'tcp' : 'http'}://host:port`)
  }
}

interface TcpFlags {
  upstream: string
  framing?: string
  'header-bytes'?: string
  'byte-order'?: string
  'max-frame-bytes'?: number
  'reply-id'?: string
  'request-id'?: string
  route?: string
}

const TCP_FLAGS = ['framing', 'header-bytes', 'byte-order', 'max-frame-bytes', 'reply-id', 'request-id', 'route'] as const

/** Framed TCP: the framing (parsed as `faultline record` does) and the JSONPaths into frames; other protocols refuse these flags. */
function tcpOptions(protocol: AuditProtocol, flags: TcpFlags): TcpAuditOptions | undefined {
  if (protocol !== 'tcp') {
    const given = TCP_FLAGS.find((name) => flags[name] !== undefined)
    if (given) throw new UsageError(`--${given} applies to --protocol tcp only; remove it or add --protocol tcp`)
    return undefined
  }
  for (const name of ['reply-id', 'request-id', 'route'] as const) {
    const path = flags[name]
    const problem = path === undefined ? undefined : jsonPathProblem(path)
    if (problem) throw new UsageError(`--${name} ${path}: not a valid JSONPath: ${problem}`)
  }
  // The framing flags are read by record's own parser (the keys it also reads are not framing's).
  return {framing: framingFromFlags({...flags, protocol, 'keep-secrets': false}), replyId: flags['reply-id'], requestId: flags['request-id'], route: flags.route}
}

function loadCatalog(proto: string | undefined): ProtoCatalog {
  if (!proto) throw new UsageError('--proto: a gRPC audit needs the .proto file of the services, e.g. --proto fixtures/grpc/bank.proto')
  try {
    return ProtoCatalog.load(resolve(proto))
  } catch (err) {
    if (err instanceof ProtoError) throw new UsageError(`--proto ${proto}: ${err.message}`)
    throw err
  }
}
