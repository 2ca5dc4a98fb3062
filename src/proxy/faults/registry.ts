import type {FaultAction} from '../fault.js'
import {clientAbort} from './client-abort.js'
import {crashAfterReply, crashBeforeReply} from './crash.js'
import {delayReply, delayRequest} from './delay.js'
import {dropReply} from './drop-reply.js'
import {dropRequest} from './drop-request.js'
import {duplicate} from './duplicate.js'
import type {FaultExchange} from './fault-exchange.js'
import {faultLinkThenForward} from './link.js'
import {partitionServer} from './partition.js'
import {resetMidReply} from './reset.js'
import {answerStatus} from './status.js'

type Runner<T extends FaultAction['type']> = <R>(x: FaultExchange<R>, action: Extract<FaultAction, {type: T}>) => Promise<void>

/** Every message fault, one line each: how it runs against an exchange's primitives. */
const FAULTS: {[T in FaultAction['type']]: Runner<T>} = {
  'drop-request': (x, a) => dropRequest(x, a.mode),
  'drop-reply': (x, a) => dropReply(x, a.mode),
  duplicate: (x, a) => duplicate(x, a.mode, a.delay),
  delay: (x, a) => (a.phase === 'request' ? delayRequest(x, a.delay) : delayReply(x, a.delay)),
  reset: (x) => resetMidReply(x),
  'crash-before-reply': (x, a) => crashBeforeReply(x, a.restart),
  'crash-after-reply': (x, a) => crashAfterReply(x, a.restart),
  'client-abort': (x) => clientAbort(x),
  status: (x, a) => answerStatus(x, a),
  'partition-primary': (x, a) => partitionServer(x, a),
  'replication-delay': (x, a) => faultLinkThenForward(x, a),
  'replication-drop': (x, a) => faultLinkThenForward(x, a),
}

/** Every fault type the proxy can apply, in registry order (the fault × protocol test matrix walks it). */
export const FAULT_TYPES = Object.keys(FAULTS) as Array<FaultAction['type']>

/** Apply one fault to an exchange. */
export function runFault<R>(x: FaultExchange<R>, action: FaultAction): Promise<void> {
  const runner = FAULTS[action.type] as Runner<FaultAction['type']>
  return runner(x, action)
}
