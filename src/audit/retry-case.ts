import type {FaultAction} from '../proxy/fault.js'

/** The failure a faulted first attempt showed the client; each "retries-…" finding reads one. */
export type RetryCase = 'lost-request' | 'lost-reply' | 'reset' | '503' | '429' | 'unavailable'

/** Which case a fault is, undefined for faults the client cannot notice (delay, duplicate). */
export function retryCaseOf(action: FaultAction): RetryCase | undefined {
  switch (action.type) {
    case 'drop-request':
      return action.mode === 'timeout' ? 'lost-request' : 'reset'
    case 'drop-reply':
      return action.mode === 'timeout' ? 'lost-reply' : 'reset'
    case 'reset':
      return 'reset'
    case 'status':
      if (action.status === 'UNAVAILABLE') return 'unavailable'
      if (action.status === 429) return '429'
      if (action.status === 503 || action.status === undefined) return '503'
      return undefined
    default:
      return undefined
  }
}

/** True when the client learns of the failure the moment the fault fires (no timeout to wait out). */
export function failsAtOnce(action: FaultAction): boolean {
  return action.type === 'status' || action.type === 'reset' || ((action.type === 'drop-request' || action.type === 'drop-reply') && action.mode === 'reset')
}

/** Seconds a status fault asked the client to wait (Retry-After, grpc-retry-pushback-ms). */
export function askedWaitMs(action: FaultAction): number | undefined {
  return action.type === 'status' && action.retryAfter !== undefined ? action.retryAfter * 1000 : undefined
}
