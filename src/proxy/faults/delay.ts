import type {FaultExchange} from './fault-exchange.js'

/** The request reaches the server `delay` ms late; if the client gave up meanwhile, it still does. */
export async function delayRequest<R>(x: FaultExchange<R>, delay: number): Promise<void> {
  x.recordFault('request', {delay})
  await x.sleep(delay)
  // The client gave up: the late request still reaches the server, as on a real network.
  if (x.clientGone) return x.deliverQuietly()
  await x.forward()
}

/** The server answers at once; its reply reaches the client `delay` ms late. */
export async function delayReply<R>(x: FaultExchange<R>, delay: number): Promise<void> {
  const reply = await x.deliverBuffered()
  x.recordFault('reply', {delay})
  await x.sleep(delay)
  await x.sendReply(reply)
}
