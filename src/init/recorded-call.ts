import type {RecordedExchange} from './har.js'
import {isReadName} from './expectation-guess.js'
import {looksLikeId, routeTemplate} from './route-template.js'
import {isRequestIdName, parseJson} from './value-template.js'

/**
 * One recorded exchange seen as a call of an endpoint: REST over HTTP, or a JSON-RPC 2.0
 * call posted to one URL. Recorded literals are still in place; value templating comes later.
 */
export interface RecordedCall {
  exchange: RecordedExchange
  protocol: 'http' | 'jsonrpc'
  /** What groups calls into one endpoint: `POST /orders/{id}`, or a JSON-RPC method name. */
  route: string
  /** `POST`, or the JSON-RPC method: what the expectation is guessed from. */
  verb: string
  /** A read (GET, or an RPC method named like one): a probe candidate, not an endpoint. */
  read: boolean
  /** The literal naming the resource (the path's last id, an id-like param), if any. */
  key?: string
  /** The request's JSON body (JSON-RPC: its params). */
  body?: unknown
  /** The reply's JSON (JSON-RPC: the response without jsonrpc and id); undefined when not JSON. */
  reply?: unknown
  /** JSON-RPC: the URL path calls are posted to. */
  rpcPath?: string
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function toCall(exchange: RecordedExchange): RecordedCall {
  const body = parseJson(exchange.bodyText)?.value
  const reply = parseJson(exchange.replyText)?.value
  const rpc = body as {jsonrpc?: unknown; method?: unknown; params?: unknown} | undefined
  if (exchange.method === 'POST' && rpc?.jsonrpc === '2.0' && typeof rpc.method === 'string') {
    const {jsonrpc: _v, id: _id, ...rest} = (reply ?? {}) as Record<string, unknown>
    const call: RecordedCall = {exchange, protocol: 'jsonrpc', route: rpc.method, verb: rpc.method, read: isReadName(rpc.method), body: rpc.params, reply: rest, rpcPath: exchange.path}
    const key = paramKey(rpc.params)
    if (key !== undefined) call.key = key
    return call
  }
  const route = routeTemplate(exchange.path)
  const call: RecordedCall = {exchange, protocol: 'http', route: `${exchange.method} ${route.template}`, verb: exchange.method, read: READ_METHODS.has(exchange.method), body, reply}
  const last = route.params.at(-1)
  if (last !== undefined) call.key = route.segments[last]
  return call
}

/** The first id-like string among the params that is not the operation's request id. */
function paramKey(params: unknown): string | undefined {
  if (params === null || typeof params !== 'object') return undefined
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string' && !isRequestIdName(name) && looksLikeId(value)) return value
  }
  return undefined
}

/** Does a read concern the resource `key` names? (its path or params carry the key) */
export function readsKey(read: RecordedCall, key: string): boolean {
  if (read.protocol === 'jsonrpc') return JSON.stringify(read.body ?? null).includes(JSON.stringify(key))
  return read.exchange.path.split('/').includes(key)
}

/** What an effect probe selects from: the reply's JSON, or a JSON-RPC call's `result`. */
export function readValue(call: RecordedCall): unknown {
  return call.protocol === 'jsonrpc' ? (call.reply as {result?: unknown} | undefined)?.result : call.reply
}
