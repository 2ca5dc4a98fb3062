import type {FaultExchange} from './fault-exchange.js'

/** The server executes the request; its reply is discarded, the client held or reset. */
export async function dropReply<R>(x: FaultExchange<R>, mode: 'timeout' | 'reset'): Promise<void> {
  await x.deliverBuffered()
  x.recordFault('reply', {mode})
  return x.holdOrReset(mode)
}
