import {now, type EventLog} from '../events/event-log.js'
import type {ProtoCatalog} from '../grpc/proto.js'
import type {Profile} from '../scenario/types.js'
import type {ProcessReaper} from '../supervisor/reaper.js'
import {startAuditProxy, type AuditProtocol, type TcpAuditOptions} from './audit-proxy.js'
import {FaultSchedule} from './fault-schedule.js'
import {computeFindings, type RouteFindings} from './findings.js'
import {AuditObserver} from './observer.js'
import {runWorkload, type WorkloadRun} from './workload.js'

export interface AuditOptions {
  protocol: AuditProtocol
  upstream: string
  catalog?: ProtoCatalog
  /** Framed TCP: framing, route, request-key and pairing-id paths. */
  tcp?: TcpAuditOptions
  profiles: Profile[]
  seed: number
  /** Consecutive attempts of a faulted operation that get its fault. */
  faultAttempts: number
  groupWindowMs: number
  /** The workload's argv, before substitution of {{proxyUrl}}, {{proxyAddress}}, {{run}}. */
  command: string[]
  runs: number
  /** Per run. */
  timeoutMs: number
  graceMs: number
  events: EventLog
  signal?: AbortSignal
  reaper?: ProcessReaper
  output: NodeJS.WritableStream
}

export interface AuditResult {
  seed: number
  protocol: AuditProtocol
  upstream: string
  proxyUrl: string
  profiles: string[]
  faultAttempts: number
  groupWindowMs: number
  runs: WorkloadRun[]
  routes: RouteFindings[]
  /** When the audit started (ms since the epoch); evidence times are relative to it. */
  origin: number
  durationMs: number
  interrupted: boolean
}

/** `{{proxyUrl}}` → the proxy's URL, `{{proxyAddress}}` → its host:port, `{{run}}` → the run number. */
export function substitute(arg: string, values: {proxyUrl: string; proxyAddress: string; run: number}): string {
  return arg.replace(/\{\{(proxyUrl|proxyAddress|run)\}\}/g, (_, name: keyof typeof values) => String(values[name]))
}

/**
 * Put the protocol's fault proxy in front of `upstream`, run the workload `runs` times through
 * it, one run after the other, then group what it sent into operations and read the findings.
 */
export async function runAudit(options: AuditOptions): Promise<AuditResult> {
  const origin = now()
  const started = performance.now()
  const observer = new AuditObserver({
    schedule: new FaultSchedule(options.profiles, options.seed),
    seed: options.seed,
    faultAttempts: options.faultAttempts,
    groupWindowMs: options.groupWindowMs,
    events: options.events,
  })
  const proxy = await startAuditProxy({protocol: options.protocol, upstream: options.upstream, events: options.events, observer, catalog: options.catalog, tcp: options.tcp})
  const proxyAddress = new URL(proxy.url).host
  const runs: WorkloadRun[] = []
  try {
    for (let run = 1; run <= options.runs && !options.signal?.aborted; run++) {
      const values = {proxyUrl: proxy.url, proxyAddress, run}
      runs.push(
        await runWorkload({
          command: options.command.map((arg) => substitute(arg, values)),
          env: {...process.env, FAULTLINE_PROXY_URL: proxy.url, FAULTLINE_PROXY_ADDRESS: proxyAddress, FAULTLINE_RUN: String(run)},
          timeoutMs: options.timeoutMs,
          graceMs: options.graceMs,
          signal: options.signal,
          reaper: options.reaper,
          output: options.output,
        }),
      )
    }
  } finally {
    await proxy.close()
    observer.dispose()
  }
  return {
    seed: options.seed,
    protocol: options.protocol,
    upstream: options.upstream,
    proxyUrl: proxy.url,
    profiles: options.profiles.map((p) => p.name),
    faultAttempts: options.faultAttempts,
    groupWindowMs: options.groupWindowMs,
    runs,
    routes: computeFindings(observer.operations, origin, options.protocol === 'grpc' || options.protocol === 'tcp' ? options.protocol : 'http'),
    origin,
    durationMs: Math.round(performance.now() - started),
    interrupted: options.signal?.aborted === true,
  }
}
