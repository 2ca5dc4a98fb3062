import type {StatusAnswer} from '../fault.js'
import type {BufferedReply} from './upstream-delivery.js'

/** The HTTP status a status fault answers with when it names none (or names a gRPC status). */
export const DEFAULT_HTTP_STATUS = 503

/** `Retry-After` for a status answer that asks the client to wait, else nothing. */
export function retryAfterHeader(answer: StatusAnswer): Record<string, string> {
  return answer.retryAfter === undefined ? {} : {'retry-after': String(answer.retryAfter)}
}

/**
 * The reply a status fault sends an HTTP client: the status (default 503), `Retry-After` when
 * the fault sets one, and a JSON body saying faultline answered, not the server.
 */
export function httpStatusReply(answer: StatusAnswer): BufferedReply {
  const status = typeof answer.status === 'number' ? answer.status : DEFAULT_HTTP_STATUS
  const after = answer.phase === 'reply' ? ' after the server answered' : ''
  const body = Buffer.from(JSON.stringify({error: `faultline: injected ${status}${after}`}))
  return {status, headers: {'content-type': 'application/json', 'x-faultline-error': 'status', ...retryAfterHeader(answer)}, body}
}
