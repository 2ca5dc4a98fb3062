import type {DurationSpec, ProfileFault} from '../scenario/types.js'
import type {Random} from '../random.js'
import {GRPC_STATUS_NAMES, isGrpcStatusName, type GrpcStatusName} from './grpc/status.js'

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
  | {type: 'crash-before-reply'}
  | {type: 'crash-after-reply'}
  | {type: 'client-abort'}
  /** gRPC: answer with this status instead of the server's reply, without forwarding (request) or after (reply). */
  | {type: 'status'; status: GrpcStatusName; phase: 'request' | 'reply'}

export type FaultType = FaultAction['type']

/** A short label used in events, tables and replay commands: `duplicate(concurrent)`. */
export function describeFault(action: FaultAction): string {
  switch (action.type) {
    case 'drop-request':
    case 'drop-reply':
      return action.mode === 'timeout' ? action.type : `${action.type}(${action.mode})`
    case 'duplicate':
      return action.mode === 'delayed' ? `duplicate(delayed ${Math.round(action.delay)}ms)` : `duplicate(${action.mode})`
    case 'delay':
      return `delay(${action.phase} ${Math.round(action.delay)}ms)`
    case 'reset':
      return `reset(${action.phase})`
    case 'status':
      return action.phase === 'reply' ? `status(${action.status} after reply)` : `status(${action.status})`
    default:
      return action.type
  }
}

function pickDuration(spec: DurationSpec | undefined, random: Random, fallback: number): number {
  if (spec === undefined) return fallback
  if (typeof spec === 'number') return spec
  const [min, max] = spec
  return Math.round(min + random.next() * (max - min))
}

/**
 * Turn a profile's fault (which may hold ranges and mode lists) into a concrete action,
 * drawing every choice from `random`. `clientTimeout` scales timeout-relative delays.
 */
export function resolveFault(spec: ProfileFault, random: Random, clientTimeout: number): FaultAction {
  /** One mode from the spec's list that the fault allows, drawn from `random`; else the fallback. */
  const mode = <T extends string>(allowed: readonly T[], fallback: T): T => {
    const list = spec.mode === undefined ? [] : Array.isArray(spec.mode) ? spec.mode : [spec.mode]
    const valid = list.filter((m): m is T => (allowed as readonly string[]).includes(m))
    return valid.length === 0 ? fallback : valid.length === 1 ? (valid[0] as T) : random.pick(valid)
  }
  switch (spec.type) {
    case 'drop-request':
    case 'drop-reply':
      return {type: spec.type, mode: mode(['timeout', 'reset'] as const, 'timeout')}
    case 'duplicate': {
      const chosen = mode(['sequential', 'concurrent', 'delayed'] as const, 'sequential')
      const delay = chosen === 'delayed' ? pickDuration(spec.delay, random, 50) : 0
      return {type: 'duplicate', mode: chosen, delay}
    }
    case 'delay': {
      const phase = spec.phase === 'reply' ? 'reply' : 'request'
      const factor = spec.delayTimeoutFactor
      const delay =
        factor !== undefined
          ? Math.round(clientTimeout * (typeof factor === 'number' ? factor : factor[0] + random.next() * (factor[1] - factor[0])))
          : pickDuration(spec.delay, random, 100)
      return {type: 'delay', phase, delay}
    }
    case 'reset':
      return {type: 'reset', phase: 'mid-reply'}
    case 'crash-before-reply':
    case 'crash-after-reply':
    case 'client-abort':
      return {type: spec.type}
    case 'toxic':
      throw new TypeError('toxic faults change a Toxiproxy server, not the proxy; the check runner applies them')
    case 'status': {
      const status = mode(GRPC_STATUS_NAMES.filter((n) => n !== 'OK'), 'UNAVAILABLE')
      return {type: 'status', status: isGrpcStatusName(status) ? status : 'UNAVAILABLE', phase: spec.phase === 'reply' ? 'reply' : 'request'}
    }
  }
}
