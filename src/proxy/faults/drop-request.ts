import type {FaultExchange} from './fault-exchange.js'

/** The request never reaches the server: the client is held until it gives up, or reset. */
export async function dropRequest<R>(x: FaultExchange<R>, mode: 'timeout' | 'reset'): Promise<void> {
  x.recordFault('request', {mode})
  return x.holdOrReset(mode)
}
