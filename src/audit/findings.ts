import type {AuditOperation, ObservedAttempt} from './attempt.js'
import {classifyBackoff, describeBackoff} from './backoff.js'
import {askedWaitMs, failsAtOnce, retryCaseOf, type RetryCase} from './retry-case.js'

/** Every finding, in report order. */
export const FINDING_NAMES = [
  'retries-lost-request',
  'retries-lost-reply',
  'retries-reset',
  'retries-503',
  'retries-429',
  'honours-retry-after',
  'retries-unavailable',
  'honours-pushback',
  'same-request-id',
  'retries-unsafe-without-key',
  'attempt-cap',
  'backoff',
  'gives-up-before-deadline',
] as const
export type FindingName = (typeof FINDING_NAMES)[number]

export type FindingStatus = 'yes' | 'no' | 'sometimes' | 'not observed'

export interface Finding {
  name: FindingName
  status: FindingStatus
  /** The status a client should show ('no' for a risk); undefined for measurements (attempt-cap, backoff). */
  wanted?: 'yes' | 'no'
  /** One line: the answer and how it was reached. */
  summary: string
  /** The operations behind it, one line each. */
  evidence: string[]
}

export interface RouteFindings {
  route: string
  operations: AuditOperation[]
  findings: Finding[]
}

/** A measured wait must reach this share of the asked one to count as honoured (clock and rounding slack). */
export const HONOUR_TOLERANCE = 0.9

const RETRY_FINDINGS: Array<[FindingName, RetryCase]> = [
  ['retries-lost-request', 'lost-request'],
  ['retries-lost-reply', 'lost-reply'],
  ['retries-reset', 'reset'],
  ['retries-503', '503'],
  ['retries-429', '429'],
  ['retries-unavailable', 'unavailable'],
]

/** Findings that only mean something on one kind of protocol. */
const GRPC_ONLY: ReadonlySet<FindingName> = new Set(['retries-unavailable', 'honours-pushback', 'gives-up-before-deadline'])
const HTTP_ONLY: ReadonlySet<FindingName> = new Set(['retries-503', 'retries-429', 'honours-retry-after'])
/** Framed TCP: error frames carry an HTTP-style code, but no Retry-After (a status fault cannot set one there). */
const NOT_TCP: ReadonlySet<FindingName> = new Set([...GRPC_ONLY, 'honours-retry-after'])

/** Which findings a protocol's traffic can show: HTTP statuses (HTTP, JSON-RPC), gRPC's, or framed TCP's error frames. */
export type FindingFamily = 'grpc' | 'http' | 'tcp'

/** The findings reported for traffic of a protocol family. */
export function findingsFor(family: FindingFamily): FindingName[] {
  const excluded = family === 'grpc' ? HTTP_ONLY : family === 'tcp' ? NOT_TCP : GRPC_ONLY
  return FINDING_NAMES.filter((n) => !excluded.has(n))
}

/**
 * Findings per route, from the operations the observer grouped; `origin` is the audit's start
 * (times are relative to it), `family` which findings apply (HTTP statuses, gRPC's, or TCP error frames).
 */
export function computeFindings(operations: readonly AuditOperation[], origin: number, family: FindingFamily): RouteFindings[] {
  const routes = new Map<string, AuditOperation[]>()
  for (const op of operations) routes.set(op.route, [...(routes.get(op.route) ?? []), op])
  const applicable = new Set(findingsFor(family))
  return [...routes].map(([route, ops]) => ({route, operations: ops, findings: routeFindings(ops, origin).filter((f) => applicable.has(f.name))}))
}

function routeFindings(ops: AuditOperation[], origin: number): Finding[] {
  const faulted = ops.filter((op) => firstOf(op).fault?.fired === true)
  const caseOf = (op: AuditOperation) => {
    const fault = firstOf(op).fault
    return fault ? retryCaseOf(fault.action) : undefined
  }
  const describe = (op: AuditOperation) => evidenceLine(op, origin)
  const findings: Finding[] = []
  for (const [name, kind] of RETRY_FINDINGS) findings.push(retryFinding(name, faulted.filter((op) => caseOf(op) === kind), describe))
  findings.push(honourFinding('honours-retry-after', 'Retry-After', faulted.filter((op) => caseOf(op) === '503' || caseOf(op) === '429'), describe))
  findings.push(honourFinding('honours-pushback', 'grpc-retry-pushback-ms', faulted.filter((op) => caseOf(op) === 'unavailable'), describe))
  findings.push(sameKeyFinding(ops, describe))
  findings.push(unsafeFinding(faulted, describe))
  findings.push(capFinding(faulted, describe))
  findings.push(backoffFinding(faulted, describe))
  findings.push(deadlineFinding(faulted, describe))
  return findings.sort((a, b) => FINDING_NAMES.indexOf(a.name) - FINDING_NAMES.indexOf(b.name))
}

function firstOf(op: AuditOperation): ObservedAttempt {
  return (op.attempts[0] as {attempt: ObservedAttempt}).attempt
}

function attemptsOf(op: AuditOperation): ObservedAttempt[] {
  return op.attempts.map((a) => a.attempt)
}

/** Waits before each retry, measured from the moment the previous attempt's fault answered. */
export function waitsOf(op: AuditOperation): number[] {
  const attempts = attemptsOf(op)
  const waits: number[] = []
  for (let i = 1; i < attempts.length; i++) {
    const previous = attempts[i - 1] as ObservedAttempt
    const from = previous.fault?.firedAt ?? previous.time
    waits.push(Math.max(0, Math.round((attempts[i] as ObservedAttempt).time - from)))
  }
  return waits
}

function evidenceLine(op: AuditOperation, origin: number): string {
  const first = firstOf(op)
  const at = ((first.time - origin) / 1000).toFixed(2)
  const faulted = attemptsOf(op).filter((a) => a.fault?.fired).length
  const fault = first.fault ? `${first.fault.label}${faulted > 1 ? ` ×${faulted}` : ''}` : 'no fault'
  const waits = waitsOf(op)
  const n = op.attempts.length
  return `${op.id} at +${at} s: ${fault}; ${n} attempt${n === 1 ? '' : 's'}${waits.length > 0 ? `, waits ${waits.join('/')} ms` : ''}`
}

function ratio(status: FindingStatus, part: number, whole: number): string {
  return status === 'sometimes' ? ` (${part} of ${whole})` : ''
}

function tally(flags: boolean[]): FindingStatus {
  if (flags.length === 0) return 'not observed'
  if (flags.every(Boolean)) return 'yes'
  return flags.some(Boolean) ? 'sometimes' : 'no'
}

function retryFinding(name: FindingName, ops: AuditOperation[], describe: (op: AuditOperation) => string): Finding {
  const retried = ops.map((op) => op.attempts.length > 1)
  const status = tally(retried)
  const n = retried.filter(Boolean).length
  const summary =
    status === 'not observed'
      ? 'no operation got this fault on its first attempt'
      : `${status === 'no' ? 'not retried' : 'retried'}${ratio(status, n, ops.length)} after ${ops.length} faulted operation${ops.length === 1 ? '' : 's'}`
  return {name, status, wanted: 'yes', summary, evidence: ops.map(describe)}
}

function honourFinding(name: FindingName, header: string, ops: AuditOperation[], describe: (op: AuditOperation) => string): Finding {
  const asked = ops.filter((op) => {
    const fault = firstOf(op).fault
    return fault !== undefined && askedWaitMs(fault.action) !== undefined && op.attempts.length > 1
  })
  const honoured = asked.map((op) => {
    const wait = waitsOf(op)[0] as number
    return wait >= (askedWaitMs((firstOf(op).fault as {action: Parameters<typeof askedWaitMs>[0]}).action) as number) * HONOUR_TOLERANCE
  })
  const status = tally(honoured)
  const summary =
    status === 'not observed'
      ? `no retry after a reply carrying ${header}`
      : `${status === 'no' ? 'retried sooner than' : 'waited'}${ratio(status, honoured.filter(Boolean).length, asked.length)} the ${header} value before retrying`
  return {name, status, wanted: 'yes', summary, evidence: asked.map(describe)}
}

function sameKeyFinding(ops: AuditOperation[], describe: (op: AuditOperation) => string): Finding {
  const retried = ops.filter((op) => op.attempts.length > 1)
  const problems: string[] = []
  for (const op of retried) {
    const attempts = attemptsOf(op)
    const first = attempts[0] as ObservedAttempt
    const rpcIds = new Set(attempts.map((a) => a.rpcId))
    const rpcNote = rpcIds.size > 1 ? '; JSON-RPC id re-minted on retry (not a request id)' : ''
    if (!first.key) problems.push(`${describe(op)}: sends no request id${rpcNote}`)
    else if (attempts.some((a) => a.key?.value !== first.key?.value)) problems.push(`${describe(op)}: new request id on retry (a duplicate the server cannot recognise)${rpcNote}`)
  }
  const keyed = retried.filter((op) => firstOf(op).key)
  if (retried.length === 0) return {name: 'same-request-id', status: 'not observed', wanted: 'yes', summary: 'no operation was retried', evidence: []}
  if (problems.length === 0) {
    const sources = [...new Set(keyed.map((op) => firstOf(op).key?.source))].join(', ')
    const reminted = retried.some((op) => new Set(attemptsOf(op).map((a) => a.rpcId)).size > 1) ? '; its JSON-RPC id changed on retry, which is not a request id' : ''
    return {name: 'same-request-id', status: 'yes', wanted: 'yes', summary: `every retry kept its ${sources}${reminted}`, evidence: retried.map(describe)}
  }
  const status: FindingStatus = problems.length === retried.length ? 'no' : 'sometimes'
  const summary = keyed.length === 0 ? 'sends no request id: a retry cannot be told from a new operation' : `${problems.length} of ${retried.length} retried operations did not keep one request id`
  return {name: 'same-request-id', status, wanted: 'yes', summary, evidence: problems}
}

function unsafeFinding(faulted: AuditOperation[], describe: (op: AuditOperation) => string): Finding {
  const exposed = faulted.filter((op) => firstOf(op).unsafe && !firstOf(op).key)
  const retried = exposed.filter((op) => op.attempts.length > 1)
  if (exposed.length === 0) {
    return {name: 'retries-unsafe-without-key', status: 'not observed', wanted: 'no', summary: 'no faulted call of a non-idempotent method without a request key', evidence: []}
  }
  if (retried.length === 0) {
    return {name: 'retries-unsafe-without-key', status: 'no', wanted: 'no', summary: `never retried a non-idempotent call without a key (${exposed.length} faulted)`, evidence: exposed.map(describe)}
  }
  const status: FindingStatus = retried.length === exposed.length ? 'yes' : 'sometimes'
  return {
    name: 'retries-unsafe-without-key',
    status,
    wanted: 'no',
    summary: `at-most-once risk: retried ${retried.length} of ${exposed.length} faulted non-idempotent calls without a request key (RFC 9110 §9.2.2)`,
    evidence: retried.map(describe),
  }
}

function capFinding(faulted: AuditOperation[], describe: (op: AuditOperation) => string): Finding {
  const retried = faulted.filter((op) => op.attempts.length > 1)
  // Gave up: every attempt was faulted, so nothing but the client's own limit ended it.
  const gaveUp = retried.filter((op) => attemptsOf(op).every((a) => a.fault?.fired))
  if (gaveUp.length > 0) {
    const cap = Math.max(...gaveUp.map((op) => op.attempts.length))
    return {name: 'attempt-cap', status: 'yes', summary: `gives up after ${cap} attempts`, evidence: gaveUp.map(describe)}
  }
  if (retried.length === 0) return {name: 'attempt-cap', status: 'not observed', summary: 'no operation was retried', evidence: []}
  const most = Math.max(...retried.map((op) => op.attempts.length))
  return {name: 'attempt-cap', status: 'not observed', summary: `at least ${most} attempts; never gave up while the fault lasted (raise --fault-attempts)`, evidence: retried.map(describe)}
}

function backoffFinding(faulted: AuditOperation[], describe: (op: AuditOperation) => string): Finding {
  // Only failures the client learns of at once, and no asked-for wait: the waits are then the client's own.
  const measured = faulted.filter((op) => {
    const fault = firstOf(op).fault
    return op.attempts.length > 1 && fault !== undefined && failsAtOnce(fault.action) && askedWaitMs(fault.action) === undefined
  })
  const sequences = measured.map((op) => {
    const attempts = attemptsOf(op)
    // A wait counts while the attempt before it was faulted (the one after a clean attempt is another story).
    return waitsOf(op).filter((_, i) => attempts[i]?.fault?.fired)
  })
  const reading = classifyBackoff(sequences)
  if (!reading) {
    const single = sequences.flat()
    const summary = single.length === 0 ? 'no retry after a failure answered at once' : `one wait per operation (${single.join(', ')} ms): raise --fault-attempts to see a schedule`
    return {name: 'backoff', status: 'not observed', summary, evidence: measured.map(describe)}
  }
  return {name: 'backoff', status: 'yes', summary: describeBackoff(reading), evidence: measured.map(describe)}
}

function deadlineFinding(faulted: AuditOperation[], describe: (op: AuditOperation) => string): Finding {
  const bounded = faulted.filter((op) => firstOf(op).deadlineMs !== undefined)
  const within = bounded.map((op) => {
    const first = firstOf(op)
    return attemptsOf(op).every((a) => a.time <= first.time + (first.deadlineMs as number))
  })
  const status = tally(within)
  const summary =
    status === 'not observed'
      ? 'no faulted call stated a deadline (gRPC grpc-timeout)'
      : `${status === 'no' ? 'sent attempts after' : 'stopped by'}${ratio(status, within.filter(Boolean).length, bounded.length)} the deadline its calls state`
  return {name: 'gives-up-before-deadline', status, wanted: 'yes', summary, evidence: bounded.map(describe)}
}
