import type {Random} from '../random.js'
import type {CrashRestart, DurationSpec, FaultSpec} from '../fault-spec.js'
import {isGrpcStatusName, type GrpcStatusName} from '../grpc/status.js'

export type {DurationSpec, FaultSpec} from '../fault-spec.js'

/**
 * A concrete fault, every choice already made: what the proxy does to one request.
 * Phases name where in the exchange it acts.
 */
export type FaultAction =
  | {type: 'drop-request'; mode: 'timeout' | 'reset'}
  | {type: 'drop-reply'; mode: 'timeout' | 'reset'}
  | {type: 'duplicate'; mode: 'sequential' | 'concurrent' | 'delayed'; delay: number}
  | {type: 'delay'; phase: 'request' | 'reply'; delay: number}
  | {type: 'reset'; phase: 'mid-reply'}
  | {type: 'crash-before-reply'; restart?: CrashRestart}
  | {type: 'crash-after-reply'; restart?: CrashRestart}
  | {type: 'client-abort'}
  | StatusAnswer
  | PartitionPrimary
  | {type: 'replication-delay'; delay: number}
  | {type: 'replication-drop'; mode: 'timeout' | 'reset'}

/**
 * Replicated targets: the primary's proxy drops all traffic for `duration` ms, starting with
 * the request the fault hits (`before-delivery`: never delivered; `after-delivery`: the primary
 * executed it and its reply is lost). The primary keeps running.
 */
export interface PartitionPrimary {
  type: 'partition-primary'
  mode: 'before-delivery' | 'after-delivery'
  duration: number
}

/**
 * Answer with a status instead of the server's reply, without forwarding (request) or after
 * the server executed it (reply). Each protocol renders it its own way (docs/protocols.md).
 */
export interface StatusAnswer {
  type: 'status'
  phase: 'request' | 'reply'
  /** A gRPC status name (grpc) or an HTTP status (other protocols); undefined: the protocol's default. */
  status?: GrpcStatusName | number
  /** Seconds the client should wait before retrying: `Retry-After` (HTTP), `grpc-retry-pushback-ms` (gRPC). */
  retryAfter?: number
  /** JSON-RPC: the `code` of the error object (default -32000). */
  code?: number
  /** Framed TCP: the error frame to reply with (the request's id is set at `replyId`). */
  frame?: unknown
}

export type FaultType = FaultAction['type']

/** A short label used in events, tables and replay commands: `duplicate(concurrent)`. */
export function describeFault(action: FaultAction): string {
  switch (action.type) {
    case 'drop-request':
    case 'drop-reply':
    case 'replication-drop':
      return action.mode === 'timeout' ? action.type : `${action.type}(${action.mode})`
    case 'crash-before-reply':
    case 'crash-after-reply':
      return action.restart === 'never' ? `${action.type}(primary left down)` : action.type
    case 'partition-primary':
      return `partition-primary(${action.mode} ${Math.round(action.duration)}ms)`
    case 'replication-delay':
      return `replication-delay(${Math.round(action.delay)}ms)`
    case 'duplicate':
      return action.mode === 'delayed' ? `duplicate(delayed ${Math.round(action.delay)}ms)` : `duplicate(${action.mode})`
    case 'delay':
      return `delay(${action.phase} ${Math.round(action.delay)}ms)`
    case 'reset':
      return `reset(${action.phase})`
    case 'status': {
      const what = [action.status ?? action.code, action.retryAfter === undefined ? undefined : `retry after ${action.retryAfter}s`].filter((x) => x !== undefined).join(', ')
      const inner = action.phase === 'reply' ? `${what}${what ? ' ' : ''}after reply` : what
      return inner ? `status(${inner})` : 'status'
    }
    default:
      return action.type
  }
}

/** A partition without a duration lasts this many client timeouts: long enough that the client fails over. */
const PARTITION_TIMEOUT_FACTOR = 1.5

/** Where in a range a planned fault's timing falls: either end, or drawn from the seeded source. */
export type TimingChoice = 'min' | 'max' | 'drawn'

/** Choices a planner made for a fault before resolving it (stratified planning). */
export interface FaultChoice {
  /** One of the fault's modes; the seeded source draws one when absent. */
  mode?: string
  /** Which end of each timing range to take; drawn when absent. */
  timing?: TimingChoice
}

function pickInRange(min: number, max: number, random: Random, timing: TimingChoice): number {
  if (timing === 'min') return min
  if (timing === 'max') return max
  return min + random.next() * (max - min)
}

function pickDuration(spec: DurationSpec | undefined, random: Random, fallback: number, timing: TimingChoice): number {
  if (spec === undefined) return fallback
  if (typeof spec === 'number') return spec
  return Math.round(pickInRange(spec[0], spec[1], random, timing))
}

/**
 * Turn a profile's fault (which may hold ranges and mode lists) into a concrete action.
 * `choice` fixes the mode and where in each range the timing falls; whatever it leaves open
 * is drawn from `random`. `clientTimeout` scales timeout-relative delays.
 */
export function resolveFault(spec: FaultSpec, random: Random, clientTimeout: number, choice: FaultChoice = {}): FaultAction {
  const timing = choice.timing ?? 'drawn'
  /** The chosen mode when the fault allows it, else one drawn from the spec's list, else the fallback. */
  const mode = <T extends string>(allowed: readonly T[], fallback: T): T => {
    const list = (spec.mode === undefined ? [] : Array.isArray(spec.mode) ? spec.mode : [spec.mode]).map(String)
    const valid = list.filter((m): m is T => (allowed as readonly string[]).includes(m))
    if (choice.mode !== undefined && (valid as string[]).includes(choice.mode)) return choice.mode as T
    return valid.length === 0 ? fallback : valid.length === 1 ? (valid[0] as T) : random.pick(valid)
  }
  switch (spec.type) {
    case 'drop-request':
    case 'drop-reply':
      return {type: spec.type, mode: mode(['timeout', 'reset'] as const, 'timeout')}
    case 'duplicate': {
      const chosen = mode(['sequential', 'concurrent', 'delayed'] as const, 'sequential')
      const delay = chosen === 'delayed' ? pickDuration(spec.delay, random, 50, timing) : 0
      return {type: 'duplicate', mode: chosen, delay}
    }
    case 'delay': {
      const phase = spec.phase === 'reply' ? 'reply' : 'request'
      const factor = spec.delayTimeoutFactor
      const delay =
        factor !== undefined
          ? Math.round(clientTimeout * (typeof factor === 'number' ? factor : pickInRange(factor[0], factor[1], random, timing)))
          : pickDuration(spec.delay, random, 100, timing)
      return {type: 'delay', phase, delay}
    }
    case 'reset':
      return {type: 'reset', phase: 'mid-reply'}
    case 'crash-before-reply':
    case 'crash-after-reply':
      return spec.restart === undefined ? {type: spec.type} : {type: spec.type, restart: spec.restart}
    case 'client-abort':
      return {type: spec.type}
    case 'partition-primary':
      return {
        type: 'partition-primary',
        mode: mode(['before-delivery', 'after-delivery'] as const, 'before-delivery'),
        duration: pickDuration(spec.duration, random, Math.round(clientTimeout * PARTITION_TIMEOUT_FACTOR), timing),
      }
    case 'replication-delay':
      return {type: 'replication-delay', delay: pickDuration(spec.delay, random, 200, timing)}
    case 'replication-drop':
      return {type: 'replication-drop', mode: mode(['timeout', 'reset'] as const, 'timeout')}
    case 'toxic':
      throw new TypeError('toxic faults change a Toxiproxy server, not the proxy; the check runner applies them')
    case 'status':
      return resolveStatus(spec, mode(statusModes(spec), ''))
  }
}

/** The status values a spec lists: gRPC names and HTTP statuses (written as numbers or text). */
function statusModes(spec: FaultSpec): string[] {
  const list = spec.mode === undefined ? [] : Array.isArray(spec.mode) ? spec.mode : [spec.mode]
  return list.map(String).filter((m) => (isGrpcStatusName(m) && m !== 'OK') || /^[1-5]\d\d$/.test(m))
}

function resolveStatus(spec: FaultSpec, chosen: string): StatusAnswer {
  const answer: StatusAnswer = {type: 'status', phase: spec.phase === 'reply' ? 'reply' : 'request'}
  if (chosen !== '') answer.status = isGrpcStatusName(chosen) ? chosen : Number(chosen)
  if (spec.retryAfter !== undefined) answer.retryAfter = spec.retryAfter
  if (spec.code !== undefined) answer.code = spec.code
  if (spec.frame !== undefined) answer.frame = spec.frame
  return answer
}
