import {PassThrough} from 'node:stream'
import {onTestFinished} from 'vitest'
import {PUSHBACK_PROFILE} from '../../src/audit/audit-profiles.js'
import type {AuditProtocol, TcpAuditOptions} from '../../src/audit/audit-proxy.js'
import type {Finding, FindingName} from '../../src/audit/findings.js'
import {runAudit, type AuditResult} from '../../src/audit/run-audit.js'
import {EventLog} from '../../src/events/event-log.js'
import type {ProtoCatalog} from '../../src/grpc/proto.js'
import {builtinProfileCatalog} from '../../src/scenario/profiles.js'
import type {Profile} from '../../src/scenario/types.js'
import {startCountingServer} from '../helpers/servers.js'

const CATALOG = new Map([...builtinProfileCatalog(), [PUSHBACK_PROFILE.name, PUSHBACK_PROFILE]])

export interface AuditRun {
  result: AuditResult
  /** What the workload printed (for failure messages). */
  output: string
  /** The finding on the one route the workload used. */
  finding(name: FindingName): Finding
}

/** The counting server a test audits a client against, closed when the test ends. */
export async function countingServerForTest(): Promise<Awaited<ReturnType<typeof startCountingServer>>> {
  const server = await startCountingServer()
  onTestFinished(() => server.close())
  return server
}

/** Audit a real client in-process: profiles by name (or given), a fixed seed, one route expected. */
export async function auditClient(options: {
  protocol?: AuditProtocol
  upstream: string
  command: string[]
  runs: number
  profiles: Array<string | Profile>
  faultAttempts?: number
  catalog?: ProtoCatalog
  tcp?: TcpAuditOptions
}): Promise<AuditRun> {
  const output = new PassThrough()
  let text = ''
  output.on('data', (chunk: Buffer) => (text += chunk.toString()))
  const profiles = options.profiles.map((p) => (typeof p === 'string' ? (CATALOG.get(p) as Profile) : p))
  const result = await runAudit({
    protocol: options.protocol ?? 'http',
    upstream: options.upstream,
    catalog: options.catalog,
    tcp: options.tcp,
    profiles,
    seed: 7,
    faultAttempts: options.faultAttempts ?? 1,
    groupWindowMs: 10_000,
    command: options.command,
    runs: options.runs,
    timeoutMs: 60_000,
    graceMs: 1000,
    events: new EventLog(),
    output,
  })
  return {
    result,
    output: text,
    finding(name) {
      if (result.routes.length !== 1) throw new Error(`expected one route, got ${result.routes.map((r) => r.route).join(', ') || 'none'}\n${text}`)
      const found = result.routes[0]?.findings.find((f) => f.name === name)
      if (!found) throw new Error(`no finding ${name}`)
      return found
    },
  }
}

/** `{name: status}` for the named findings: one assertion shows the whole policy. */
export function statuses(run: AuditRun, names: FindingName[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, run.finding(n).status]))
}
