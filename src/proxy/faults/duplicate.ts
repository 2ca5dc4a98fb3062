import type {FaultExchange} from './fault-exchange.js'

/**
 * The server receives the request twice. Delivery 1 is the client's and its reply is the
 * one the client gets; the copy follows it (sequential), runs beside it (concurrent) or
 * lands `delay` ms later (delayed).
 */
export async function duplicate<R>(x: FaultExchange<R>, mode: 'sequential' | 'concurrent' | 'delayed', delay: number): Promise<void> {
  x.recordFault('request', {mode, delay: mode === 'delayed' ? delay : undefined, copies: 2})
  const original = () => x.forward().catch((err: Error) => x.failClient(err))
  if (mode === 'sequential') {
    await original()
    await x.deliverQuietly()
    return
  }
  await Promise.all([original(), x.deliverCopyBeside(mode, delay)])
}
