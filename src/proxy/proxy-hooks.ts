/**
 * How a protocol proxy reaches outside itself at a fault point. Every L7 codec takes the
 * same hooks, so the check runner's supervisor can crash the server at a request's
 * exact point whatever the protocol.
 */

/** Where a crash fault asks the supervisor to kill the server. */
export type CrashPoint = 'before-reply' | 'after-reply'

export interface CrashContext {
  point: CrashPoint
  trial?: string
  request: string
}

export interface ProxyHooks {
  /**
   * Kill the server at this point and bring it back (resolve once it is ready again).
   * Without this hook crash faults cannot fire; they are recorded as errors.
   */
  crash?(context: CrashContext): Promise<void>
}
