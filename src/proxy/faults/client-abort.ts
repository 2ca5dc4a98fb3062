import type {FaultExchange} from './fault-exchange.js'

/** The client "crashes" right after sending: the server gets the whole request, then both connections close. */
export function clientAbort<R>(x: FaultExchange<R>): Promise<void> {
  return x.abortAfterSending()
}
