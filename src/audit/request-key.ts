import {singleHeader} from '../proxy/request-ids.js'

/** Where an attempt carries its operation's request id, and the id itself. */
export interface RequestKey {
  /** `header idempotency-key`, `metadata x-request-id`, `param request_id`, `field request_id`. */
  source: string
  value: string
}

/** Header (HTTP) or metadata (gRPC) names recognised as a request id, in order of precedence. */
export const KEY_HEADERS = ['idempotency-key', 'x-idempotency-key', 'x-request-id', 'request-id'] as const

/** Field names (a JSON-RPC params object, a gRPC request message) recognised as a request id. */
export const KEY_FIELDS = ['idempotency_key', 'idempotencyKey', 'request_id', 'requestId'] as const

/** The first recognised request-id header or metadata key, if any. */
export function keyFromHeaders(headers: Record<string, string | string[] | undefined>, kind: 'header' | 'metadata'): RequestKey | undefined {
  for (const name of KEY_HEADERS) {
    const value = singleHeader(headers[name])
    if (value !== undefined && value !== '') return {source: `${kind} ${name}`, value}
  }
  return undefined
}

/**
 * The first recognised request-id field of an object: a JSON-RPC call's `params` (by name, or
 * the first object of positional params) or a decoded gRPC message.
 */
export function keyFromFields(value: unknown, kind: 'param' | 'field'): RequestKey | undefined {
  const object = Array.isArray(value) ? value.find((v) => typeof v === 'object' && v !== null) : value
  if (typeof object !== 'object' || object === null) return undefined
  for (const name of KEY_FIELDS) {
    const field = (object as Record<string, unknown>)[name]
    if ((typeof field === 'string' && field !== '') || typeof field === 'number') return {source: `${kind} ${name}`, value: String(field)}
  }
  return undefined
}
