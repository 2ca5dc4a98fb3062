/**
 * JSON-RPC 2.0 messages as the proxy sees them: a request body is one call or a batch of
 * calls; a call without an `id` member is a notification (the server sends no response).
 */

export interface JsonRpcCall {
  /** Position in the batch (0 for a single call). */
  index: number
  method: string
  params?: unknown
  /** False for a notification. */
  hasId: boolean
  id?: string | number | null
  /** The call object exactly as the client sent it (after JSON parsing). */
  raw: Record<string, unknown>
}

export type ParsedJsonRpc =
  | {kind: 'single'; call: JsonRpcCall}
  | {kind: 'batch'; calls: JsonRpcCall[]; items: unknown[]}
  | {kind: 'invalid'; reason: string}

function toCall(value: unknown, index: number): JsonRpcCall | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `call ${index} is not an object`
  const raw = value as Record<string, unknown>
  if (typeof raw.method !== 'string') return `call ${index} has no method name`
  const hasId = Object.prototype.hasOwnProperty.call(raw, 'id')
  const call: JsonRpcCall = {index, method: raw.method, hasId, raw}
  if ('params' in raw) call.params = raw.params
  if (hasId) call.id = raw.id as JsonRpcCall['id']
  return call
}

/** Parse a request body. Anything that is not a JSON-RPC call or batch is `invalid`. */
export function parseJsonRpcRequest(body: Buffer | string): ParsedJsonRpc {
  let value: unknown
  try {
    value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'))
  } catch (err) {
    return {kind: 'invalid', reason: `not JSON: ${(err as Error).message}`}
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return {kind: 'invalid', reason: 'an empty batch'}
    const calls: JsonRpcCall[] = []
    for (const [i, item] of value.entries()) {
      const call = toCall(item, i)
      if (typeof call === 'string') return {kind: 'invalid', reason: call}
      calls.push(call)
    }
    return {kind: 'batch', calls, items: value}
  }
  const call = toCall(value, 0)
  return typeof call === 'string' ? {kind: 'invalid', reason: call.replace('call 0', 'the body')} : {kind: 'single', call}
}

/** Ids compare by their JSON text: 1 and "1" are different ids. */
export function idKey(id: unknown): string {
  return JSON.stringify(id ?? null)
}

/** The batch body without the call at `index`. */
export function batchWithout(items: unknown[], index: number): Buffer {
  return Buffer.from(JSON.stringify(items.filter((_, i) => i !== index)))
}

/** One call of a batch sent on its own (a single request, not a batch of one). */
export function callAlone(call: JsonRpcCall): Buffer {
  return Buffer.from(JSON.stringify(call.raw))
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
}

function isResponse(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && ('result' in value || 'error' in value)
}

/** The response to the call with this id in a reply body (a single response or a batch reply). */
export function findResponse(body: Buffer, id: unknown): Record<string, unknown> | undefined {
  const value = parse(body)
  const key = idKey(id)
  const candidates = Array.isArray(value) ? value : [value]
  return candidates.find((r): r is Record<string, unknown> => isResponse(r) && idKey(r.id) === key)
}

/**
 * A batch reply without the response to the call with this id; undefined when the reply
 * is not a batch reply holding it. An emptied batch reply becomes an empty body (JSON-RPC
 * servers send nothing rather than an empty array).
 */
export function replyWithout(body: Buffer, id: unknown): Buffer | undefined {
  const value = parse(body)
  if (!Array.isArray(value)) return undefined
  const key = idKey(id)
  const rest = value.filter((r) => !(isResponse(r) && idKey(r.id) === key))
  if (rest.length === value.length) return undefined
  return rest.length === 0 ? Buffer.alloc(0) : Buffer.from(JSON.stringify(rest))
}

/**
 * What a reply says about one call, comparable across attempts: its response without the
 * `jsonrpc` and `id` members (ids are per connection and change with every attempt).
 * Undefined when the body holds no response to that call (the raw text is kept instead).
 */
export function responseEvidence(body: Buffer, call: JsonRpcCall | undefined): string | undefined {
  if (!call || !call.hasId) return undefined
  const response = findResponse(body, call.id)
  if (!response) return undefined
  const rest = Object.fromEntries(Object.entries(response).filter(([k]) => k !== 'jsonrpc' && k !== 'id'))
  return JSON.stringify(rest)
}
