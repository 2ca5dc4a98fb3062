import type {FaultExchange} from './fault-exchange.js'

/** Half the server's reply reaches the client, then its connection is reset. */
export async function resetMidReply<R>(x: FaultExchange<R>): Promise<void> {
  const reply = await x.deliverBuffered()
  const partial = x.partialReply(reply)
  x.recordFault('mid-reply', {bytesSent: partial.bytesSent, of: partial.of, ...partial.detail})
  if (x.clientGone) return
  partial.send()
}
