import type {FaultAction} from '../proxy/fault.js'
import type {RequestKey} from './request-key.js'

/** The fault the audit planned for an attempt, and whether the proxy recorded it firing. */
export interface PlannedFault {
  /** The profile it came from. */
  profile: string
  /** `status(503)`, `drop-request`: describeFault of the action. */
  label: string
  action: FaultAction
  /** True once the proxy recorded the fault event for this request. */
  fired: boolean
  /** When the fault fired (for answers the client sees at once: a status, a reset). */
  firedAt?: number
}

/** One request the workload sent through the proxy: what the audit knows of it. */
export interface ObservedAttempt {
  /** Proxy-assigned request id (`r12`). */
  request: string
  /** When it arrived at the proxy (ms since the epoch). */
  time: number
  /** HTTP method, or the JSON-RPC / gRPC method name. */
  method: string
  /** Path without query (HTTP, JSON-RPC endpoint path), or the gRPC method path. */
  target: string
  /** Route the findings are grouped by: method and target with id-like segments replaced. */
  route: string
  /** Hash of the request body (JSON-RPC: of the call without its `id`). */
  bodyHash: string
  key?: RequestKey
  /** JSON-RPC: the call's `id`, reported apart from the request key (clients often re-mint it). */
  rpcId?: string
  /** gRPC: the deadline the call states (grpc-timeout), in ms. */
  deadlineMs?: number
  /** True when the method may not be retried without a key (RFC 9110 §9.2.2). */
  unsafe: boolean
  fault?: PlannedFault
  /** The upstream reply's status (HTTP status), when one arrived. */
  status?: number
  /** True when the server's own reply was an error: a JSON-RPC error object, a framed-TCP `error` frame. */
  errorReply?: boolean
  /**
   * JSON-RPC batch: a fault on another call of the same batch failed this call too (a status
   * fault answers every call with an error, a reset loses them all).
   */
  batchFailed?: boolean
}

/** What an intake knows of an attempt when it arrives, before the proxy's events tell how it went. */
export type SeenAttempt = Omit<ObservedAttempt, 'fault' | 'status' | 'errorReply' | 'batchFailed'>

/** Why an attempt was put into its operation. */
export type GroupReason =
  | {rule: 'first'; detail: string}
  | {rule: 'same-key'; detail: string}
  | {rule: 'same-request'; detail: string}

/** One operation as the audit reconstructed it: its attempts in arrival order. */
export interface AuditOperation {
  /** `op3`, in order of first arrival. */
  id: string
  route: string
  attempts: Array<{attempt: ObservedAttempt; reason: GroupReason}>
}
