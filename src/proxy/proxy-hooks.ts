/**
 * How a protocol proxy reaches outside itself at a fault point. Every L7 codec takes the
 * same hooks, so the check runner's supervisor can crash the server at a request's
 * exact point whatever the protocol.
 */

import type {CrashRestart} from '../fault-spec.js'

/** Where a crash fault asks the supervisor to kill the server. */
export type CrashPoint = 'before-reply' | 'after-reply'

export interface CrashContext {
  point: CrashPoint
  trial?: string
  request: string
  /** Replicated targets: restart after the failover probe (default), or leave the server down for the rest of the trial. */
  restart?: CrashRestart
}

/** A fault that cuts the proxy's server off (partition) or faults a link beside it, for one trial. */
export interface LinkContext {
  trial?: string
  request: string
}

/** Why the proxy cannot reach its server right now: it is down (connections are reset) or cut off (traffic is dropped). */
export type Unreachable = 'down' | 'partitioned'

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
  /**
   * Cut the server off for `durationMs`: from now on `unreachable()` says `partitioned` until
   * it heals. Resolves once the partition is in force. Without it partition faults are errors.
   */
  partition?(context: LinkContext & {durationMs: number}): Promise<void>
  /** Fault the link beside this proxy's server (replication) for the rest of the trial. */
  faultLink?(context: LinkContext & {action: LinkFault}): Promise<void>
  /** Whether the server cannot be reached now; a proxy then delivers nothing (resets the client when `down`, holds it when `partitioned`). */
  unreachable?(): Unreachable | undefined
}

/** What a link fault does to every message on the link while it is in force. */
export type LinkFault = {type: 'replication-delay'; delay: number} | {type: 'replication-drop'; mode: 'timeout' | 'reset'}

/** What an exchange records when its client left while it waited out a restart. */
export const GAVE_UP_DURING_RESTART = 'the client gave up while the server was restarting; not delivered'

/**
 * Before delivering a request: if a crash restart is in progress, wait until the server is
 * back. Resolves true when the request should still be delivered, false when its client
 * left meanwhile (it then must not reach the server at all).
 */
export async function waitOutRestart(hooks: ProxyHooks, clientGone: () => boolean): Promise<boolean> {
  const restarting = hooks.serverUp?.()
  if (!restarting) return true
  await restarting
  return !clientGone()
}
