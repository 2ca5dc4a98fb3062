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
  /**
   * While a crash restart is in progress: resolves once the server is back (ready, and
   * any post-restart probe done). Undefined when the server is up. A proxy awaits it
   * before delivering a request, so a retry reaches the restarted server instead of a
   * closed port; a request whose client gave up meanwhile is not delivered at all.
   */
  serverUp?(): Promise<void> | undefined
}
