/**
 * A fault as a profile states it, before a trial resolves it: its type and the choices still
 * open (mode lists, timing ranges). The scenario loader produces it and the proxy resolves it;
 * it sits below both, so neither imports the other.
 */

/** Every fault type a profile can name: the proxy's message faults, and `toxic` (a byte toxic on a Toxiproxy server). */
export type FaultSpecType =
  | 'drop-request'
  | 'drop-reply'
  | 'duplicate'
  | 'delay'
  | 'reset'
  | 'crash-before-reply'
  | 'crash-after-reply'
  | 'client-abort'
  | 'toxic'
  | 'status'
  | 'partition-primary'
  | 'replication-delay'
  | 'replication-drop'

/** Replicated targets: when the primary a crash fault killed comes back (`never`: it stays down for the rest of the trial). */
export type CrashRestart = 'after-probe' | 'never'

/** A duration written as a fixed value or a [min, max] range, in ms. */
export type DurationSpec = number | [number, number]

export interface FaultSpec {
  /** `toxic` faults change a Toxiproxy server; they never reach the proxy's `resolveFault`. */
  type: FaultSpecType
  /**
   * drop-request / drop-reply: `timeout` (hold the connection) or `reset`.
   * duplicate: `sequential` | `concurrent` | `delayed`.
   * partition-primary: `before-delivery` | `after-delivery` (the primary executed it, its reply is lost).
   * replication-drop: `timeout` (the link swallows the bytes) | `reset`.
   * status: the status to answer with: a gRPC name such as `UNAVAILABLE` (grpc targets) or an
   * HTTP status such as `503` (every target; gRPC maps it as gRPC does).
   * A list means the seeded source picks one per trial.
   */
  mode?: string | string[]
  /** delay: which phase is delayed. reset: mid-reply. status: request (not forwarded) or reply (after forwarding). */
  phase?: string
  delay?: DurationSpec
  /** Delay expressed as a multiple of the client timeout (e.g. 1.5 = past the timeout). */
  delayTimeoutFactor?: number | [number, number]
  /** status: seconds the client should wait before retrying (HTTP `Retry-After`, gRPC pushback). */
  retryAfter?: number
  /** status (jsonrpc): the error object's code. */
  code?: number
  /** status (tcp): the error frame the client gets. */
  frame?: unknown
  /** Crash faults on replicated targets: restart the primary after the failover probe (default) or leave it down for the rest of the trial. */
  restart?: CrashRestart
  /** partition-primary: how long the primary stays cut off, in ms (default 1.5 × the client timeout). */
  duration?: DurationSpec
}
