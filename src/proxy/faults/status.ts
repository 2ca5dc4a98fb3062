import type {StatusAnswer} from '../fault.js'
import type {FaultExchange} from './fault-exchange.js'

/**
 * The client gets a status instead of the server's reply: without the server seeing the
 * request (phase request), or after the server executed it (phase reply: "the server did it
 * but said 503"). Each protocol renders the status its own way (`sendStatus`).
 */
export async function answerStatus<R>(x: FaultExchange<R>, answer: StatusAnswer): Promise<void> {
  const forwarded = answer.phase === 'reply'
  if (forwarded) await x.deliverBuffered()
  x.recordFault(answer.phase, {status: answer.status, forwarded, ...(answer.retryAfter === undefined ? {} : {retryAfter: answer.retryAfter})})
  await x.sendStatus(answer)
}
