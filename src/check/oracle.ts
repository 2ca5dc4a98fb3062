import type {ProxyEvent} from '../events/event-log.js'
import type {Endpoint} from '../scenario/types.js'
import {faultLabel, seeksSecondDelivery} from './plan.js'
import {normalizeJson, sameJson} from './normalize.js'
import {parseJsonBody} from './http-request.js'
import type {ProbeReading} from './probe.js'
import {baselineAcrossReplicas, measureAcrossReplicas} from './replica-oracle.js'
import {countExecutions, readingNumber, type ProbeNumber} from './probe-number.js'
import type {DeliveredReply, MeasuredTrial, TrialResult} from './trial-result.js'
import type {RawTrial} from './trial-runner.js'
import {shorten} from './shorten.js'

/** How executions are counted for an endpoint (docs/verdicts.md §3), fixed by its baseline. */
export type OracleKind = 'count' | 'state' | 'reply'

/** What the clean baseline trial established. */
export interface Baseline {
  oracle: OracleKind
  /** count: the change one execution makes, exact (see probe-number.ts). */
  unit?: ProbeNumber
  /** state: normalised state before and after one clean execution. */
  stateBefore?: unknown
  stateAfter?: unknown
}

/** Why a baseline cannot be used; the caller turns it into a scenario error at `field`. */
export class BaselineProblem extends Error {
  constructor(
    readonly field: 'request' | 'select',
    message: string,
  ) {
    super(message)
  }
}

function state(reading: ProbeReading, raw: RawTrial, endpoint: Endpoint): unknown {
  if (reading.kind !== 'value') return null
  return normalizeJson(reading.value, raw.substitutions, endpoint.effect?.volatile ?? [])
}

/**
 * Was the baseline run clean enough to define "one execution"? It must end ok with exactly one
 * delivery per attempt, and no attempt may have timed out or lost its connection: after such
 * an attempt nobody knows whether it executed, so a retry could make the measured unit two
 * executions. Retries the server asked for with a retryable reply (503, UNAVAILABLE) are
 * accepted: the server said the attempt did not happen. Returns what went wrong, or undefined.
 */
export function uncleanBaseline(raw: RawTrial): string | undefined {
  const op = raw.operation
  const deliveries = raw.timeline.filter(isOperationDelivery).length
  const ambiguous = op.attempts.some((a) => a.result !== 'reply')
  if (op.outcome === 'ok' && !ambiguous && deliveries === op.attempts.length && op.attempts.length > 0) return undefined
  // A client command whose requests all missed the endpoint's match made no attempt at all.
  if (op.attempts.length === 0) return [op.gaveUp, 'no request matched the endpoint, so no attempt was made'].filter(Boolean).join('; ')
  const parts = op.attempts.map((a) => `attempt ${a.attempt}: ${describeAttempt(a)}`)
  if (op.gaveUp !== undefined) parts.push(op.gaveUp)
  if (deliveries !== op.attempts.length) parts.push(`the server received ${deliveries} deliver${deliveries === 1 ? 'y' : 'ies'} for ${op.attempts.length} attempt${op.attempts.length === 1 ? '' : 's'}`)
  return parts.join('; ') || 'no attempt was made'
}

/** `no reply within 300ms`, `409 {"error":"in flight"}`, `ECONNRESET: socket hang up`. */
function describeAttempt(a: RawTrial['operation']['attempts'][number]): string {
  if (a.result !== 'reply') return a.error ?? a.result
  const body = a.body ?? ''
  return `${a.status}${body ? ` ${shorten(body, 120)}` : ''}`
}

/**
 * A final answer the server gave on purpose (not retryable) to attempts that all got replies:
 * another try of the same clean request would get it again, so the baseline fails at once.
 */
export function finalRefusal(raw: RawTrial): boolean {
  const op = raw.operation
  // After a timed-out attempt, a refusal (409 "in progress") may be the timeout's doing.
  return op.outcome === 'failed' && op.finalStatus !== undefined && op.attempts.every((a) => a.result === 'reply')
}

/** Interpret the clean baseline trial: which oracle applies and what one execution does. */
export function establishBaseline(endpoint: Endpoint, raw: RawTrial): Baseline {
  const rule = endpoint.effect?.replica
  if (rule === 'any' || rule === 'all') return baselineAcrossReplicas(raw, (one) => establishOne(endpoint, one), (message) => new BaselineProblem('select', message))
  return establishOne(endpoint, raw)
}

function establishOne(endpoint: Endpoint, raw: RawTrial): Baseline {
  const effect = endpoint.effect
  if (!effect) return {oracle: 'reply'}
  for (const reading of [raw.before, raw.after]) {
    if (reading?.kind === 'error') throw new BaselineProblem('select', `the effect probe of endpoint "${endpoint.name}" failed: ${reading.message}`)
  }
  const before = raw.before as ProbeReading
  const after = raw.after as ProbeReading
  const a = readingNumber(before)
  const b = readingNumber(after)
  const countable = a !== undefined && b !== undefined && after.kind === 'value'
  if (effect.oracle === 'count' || (effect.oracle === 'auto' && countable)) {
    if (!countable) {
      throw new BaselineProblem('select', `the effect probe of endpoint "${endpoint.name}" selects ${describe(after)} with ${effect.select}, not a number; use oracle: state or select a counter`)
    }
    const unit = (b as ProbeNumber).minus(a as ProbeNumber)
    if (unit.isZero()) {
      throw new BaselineProblem('select', `the effect probe of endpoint "${endpoint.name}" sees no effect: ${effect.select} was ${a} before and after a clean execution; select a value that changes with each execution`)
    }
    return {oracle: 'count', unit}
  }
  const stateBefore = state(before, raw, endpoint)
  const stateAfter = state(after, raw, endpoint)
  if (sameJson(stateBefore, stateAfter)) {
    throw new BaselineProblem('select', `the effect probe of endpoint "${endpoint.name}" sees no effect: ${effect.select} is the same before and after a clean execution; select the state the request changes`)
  }
  return {oracle: 'state', stateBefore, stateAfter}
}

function describe(reading: ProbeReading): string {
  if (reading.kind === 'absent') return 'nothing'
  if (reading.kind === 'error') return 'an error'
  if (reading.kind === 'replicas') return 'one reading per replica'
  return JSON.stringify(reading.value)?.slice(0, 60) ?? 'undefined'
}

function replies(raw: RawTrial, endpoint: Endpoint): DeliveredReply[] {
  const out: DeliveredReply[] = []
  for (const event of raw.timeline) {
    // Replies to a client command's other traffic (no attempt number) are not the operation's.
    if (event.type !== 'reply-end' || event.attempt === undefined) continue
    // A protocol-level status (gRPC's) when the proxy records one, else the HTTP status.
    const rpcStatus = event.detail?.rpcStatus
    const status = typeof rpcStatus === 'string' || typeof rpcStatus === 'number' ? rpcStatus : event.status
    if (status === undefined) continue
    const ok = typeof event.detail?.ok === 'boolean' ? event.detail.ok : typeof status === 'number' && status < 300
    const text = typeof event.detail?.body === 'string' ? event.detail.body : ''
    const json = parseJsonBody(Buffer.from(text))
    const body = json.ok ? normalizeJson(json.value, raw.substitutions, endpoint.volatileReplyFields) : text
    out.push({delivery: event.delivery ?? 1, attempt: event.attempt, status, ok, body, text})
  }
  return out
}

/**
 * A delivery of the operation's own request. Every attempt carries its number; a client
 * command's other traffic (a login, a read before the write) passes the trial's listener
 * without one and is no delivery of the operation.
 */
function isOperationDelivery(e: ProxyEvent): boolean {
  return e.type === 'delivery' && e.attempt !== undefined
}

/** The recorded reply as `replies` normalises a delivered one: volatile fields removed; no body is ''. */
function recordedReply(endpoint: Endpoint): {status: number; body: unknown} {
  const recorded = endpoint.recordedReply as NonNullable<Endpoint['recordedReply']>
  const body = recorded.body === undefined ? '' : normalizeJson(recorded.body, [], endpoint.volatileReplyFields)
  return {status: recorded.status, body}
}

/**
 * Deliveries recorded after the trial's first crash restart — or, on replicas, after the
 * failover (the backups serve from then on); null when nothing crashed.
 */
function deliveriesAfterRestart(raw: RawTrial): number | null {
  const restart = raw.timeline.findIndex((e) => e.type === 'supervisor' && (e.detail?.action === 'restarted' || e.detail?.action === 'failed-over'))
  if (restart === -1) return null
  return raw.timeline.slice(restart + 1).filter(isOperationDelivery).length
}

/** Turn one trial's raw measurements into what the verdicts use. */
export function measureTrial(endpoint: Endpoint, baseline: Baseline, raw: RawTrial, replay: string, clientTimeout: number): MeasuredTrial {
  const op = raw.operation
  const injected = raw.timeline.some((e) => e.type === 'fault')
  const deliveries = raw.timeline.filter(isOperationDelivery).length
  const result: MeasuredTrial = {
    id: raw.planned.id,
    profile: raw.planned.profile,
    fault: faultLabel(raw.planned),
    variant: raw.planned.variant,
    seeksSecondDelivery: raw.planned.faults.some((f) => seeksSecondDelivery(f.action, clientTimeout)),
    injected,
    outcome: op.outcome,
    attempts: op.attempts.length,
    deliveries,
    deliveriesAfterRestart: deliveriesAfterRestart(raw),
    executions: null,
    stateMatchesClean: null,
    effectVisible: null,
    effectAfterRestart: null,
    effectSurvivedCrash: null,
    stoppedEarly: op.stoppedEarly,
    replies: replies(raw, endpoint),
    timeline: raw.timeline,
    replay,
  }
  if (op.gaveUp !== undefined) result.gaveUp = op.gaveUp
  if (endpoint.recordedReply) result.recordedReply = recordedReply(endpoint)
  if (baseline.oracle === 'reply') return result
  const rule = endpoint.effect?.replica
  if (rule === 'any' || rule === 'all') return measureAcrossReplicas(rule, result, raw, (one) => measureReadings({...result}, endpoint, baseline, one))
  return measureReadings(result, endpoint, baseline, raw)
}

/** What the probe's readings say: executions, the state, the effect across a crash. */
function measureReadings<T extends TrialResult>(result: T, endpoint: Endpoint, baseline: Baseline, raw: RawTrial): T {
  const readings = [raw.before, raw.after, raw.afterRestart].filter((r): r is ProbeReading => r !== undefined)
  const failed = readings.find((r) => r.kind === 'error')
  if (failed && failed.kind === 'error') return {...result, error: failed.message}
  const before = raw.before as ProbeReading
  const after = raw.after as ProbeReading
  if (baseline.oracle === 'count') {
    const unit = baseline.unit as ProbeNumber
    const executions = countExecutions(before, after, unit)
    if (executions === undefined) return {...result, error: 'the effect probe stopped selecting a number'}
    result.executions = executions
    result.effectVisible = executions >= 1
    result.stateMatchesClean = executions === 1
    if (raw.afterRestart) {
      const mid = countExecutions(before, raw.afterRestart, unit)
      recordCrash(result, raw, mid === undefined ? null : mid >= 1)
    }
    return result
  }
  // State: judged against this trial's own before-reading and against the state one clean
  // execution produces (the baseline's after-state, this trial's template values in place),
  // never against what another trial left behind on a shared resource.
  const ownBefore = state(before, raw, endpoint)
  const finalState = state(after, raw, endpoint)
  result.stateMatchesClean = sameJson(finalState, baseline.stateAfter)
  if (sameJson(ownBefore, baseline.stateAfter)) {
    // The state already looked executed before the trial: nothing it does can show.
    result.unmeasurableEffect = `the state before the trial already equals what one execution produces, so the probe cannot see whether it took effect; make each trial write a value of its own (e.g. {{key}} in the body)`
    return result
  }
  // A fresh resource (this trial's before looks like the baseline's) shows the effect by any
  // change. A shared one carries earlier trials' writes, and a crash restart may bring back an
  // even older state: there only the state one execution produces proves the effect.
  const fresh = sameJson(ownBefore, baseline.stateBefore)
  const showsEffect = (now: unknown): boolean => sameJson(now, baseline.stateAfter) || (fresh && !sameJson(now, ownBefore))
  if (fresh || result.stateMatchesClean || sameJson(finalState, ownBefore)) result.effectVisible = showsEffect(finalState)
  else result.unmeasurableEffect = `the shared state changed, but not to what one clean execution produces, so the probe cannot tell whether this trial took effect; select a count (e.g. $.length) for state that accumulates`
  // Right after a crash restart nothing but the crashed delivery can have acted, so anything
  // but the state one execution produces means the acknowledged effect is gone.
  if (raw.afterRestart) recordCrash(result, raw, showsEffect(state(raw.afterRestart, raw, endpoint)))
  return result
}

/**
 * What the probe right after a crash restart says. The effect is an acknowledged one only
 * when the crash came after the reply was delivered and the client accepted exactly that
 * reply (the attempt the crash fault hit); a reply the client got later, from the
 * restarted server, acknowledged nothing before the crash.
 */
function recordCrash(result: TrialResult, raw: RawTrial, survived: boolean | null): void {
  result.effectSurvivedCrash = survived
  if (raw.crashPoint !== 'after-reply' || raw.operation.outcome !== 'ok') return
  const crash = raw.timeline.find((e) => e.type === 'fault' && e.fault === 'crash-after-reply')
  const accepted = raw.operation.attempts.at(-1)?.attempt
  if (crash?.attempt !== undefined && crash.attempt === accepted) result.effectAfterRestart = survived
}
