import type {LinkFault} from '../proxy-hooks.js'
import type {FaultExchange} from './fault-exchange.js'

/** Fault the link beside the server (replication) for the rest of the trial, then forward the request as usual. */
export async function faultLinkThenForward<R>(x: FaultExchange<R>, action: LinkFault): Promise<void> {
  await x.faultLink(action)
  return x.forward()
}
