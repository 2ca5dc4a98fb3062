import type {StatusAnswer} from '../fault.js'
import {httpStatusReply, retryAfterHeader} from '../http/status-reply.js'
import type {BufferedReply} from '../http/upstream-delivery.js'
import type {JsonRpcCall, ParsedJsonRpc} from './message.js'

/** The error code a status fault answers a JSON-RPC call with when the profile gives none (JSON-RPC's server-error range). */
export const DEFAULT_JSONRPC_ERROR_CODE = -32000

function errorResponse(call: JsonRpcCall, answer: StatusAnswer): Record<string, unknown> {
  const after = answer.phase === 'reply' ? ' after the server answered' : ''
  const error: Record<string, unknown> = {code: answer.code ?? DEFAULT_JSONRPC_ERROR_CODE, message: `faultline: injected error${after}`}
  if (answer.status !== undefined) error.data = {status: answer.status}
  return {jsonrpc: '2.0', id: call.id, error}
}

/**
 * How a status fault answers a JSON-RPC request: HTTP 200 with an error response for every
 * call that has an id (one object for a single call, an array for a batch), and
 * `Retry-After` when the fault sets one. A body with no call to answer (notifications only,
 * not JSON-RPC) gets the plain HTTP status reply instead.
 */
export function jsonRpcStatusReply(parsed: ParsedJsonRpc, answer: StatusAnswer): BufferedReply {
  const calls = parsed.kind === 'single' ? [parsed.call] : parsed.kind === 'batch' ? parsed.calls : []
  const responses = calls.filter((c) => c.hasId).map((c) => errorResponse(c, answer))
  if (responses.length === 0) return httpStatusReply(answer)
  const body = Buffer.from(JSON.stringify(parsed.kind === 'batch' ? responses : responses[0]))
  return {status: 200, headers: {'content-type': 'application/json', 'x-faultline-error': 'status', ...retryAfterHeader(answer)}, body}
}
