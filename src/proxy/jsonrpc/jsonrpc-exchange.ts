import type {IncomingMessage, ServerResponse} from 'node:http'
import {selectJson} from '../../jsonpath.js'
import {Exchange, type ExchangeEnv, type PreparedRequest} from '../http/exchange.js'
import {singleHeader, type RequestIds} from '../request-ids.js'
import type {RequestInfo} from '../request-match.js'
import type {RuleSet} from '../rule-set.js'
import {BatchCallExchange} from './batch-call-exchange.js'
import {jsonRpcStatusReply} from './error-reply.js'
import {parseJsonRpcRequest, responseEvidence, type JsonRpcCall, type ParsedJsonRpc} from './message.js'
import type {TrialOwner} from '../trial-owner.js'

/** How the L7 HTTP proxy reads JSON-RPC 2.0 bodies. */
export interface JsonRpcProxyOptions {
  /**
   * Where an operation's stable request id sits (JSON-RPC ids are per connection and change
   * with every attempt): a JSONPath into the call's `params`, or an HTTP header.
   */
  requestId?: {param: string} | {header: string}
  /** Request bodies above this size are refused with 413 and an 'error' event (default 4 MiB). */
  maxBodyBytes?: number
}

export const DEFAULT_MAX_JSONRPC_BODY = 4 * 1024 * 1024

export interface JsonRpcRequestContext {
  env: ExchangeEnv
  rules: RuleSet
  options: JsonRpcProxyOptions
  req: IncomingMessage
  res: ServerResponse
  ids: RequestIds
  /** The operation id from the proxy's default headers, used when no requestId place is declared. */
  headerOperation?: string
  /** Set when the listener serves one trial's unmarked client: a request with a matching call is its next attempt. */
  owner?: TrialOwner
}

async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

function operationOf(ctx: JsonRpcRequestContext, call: JsonRpcCall | undefined): string | undefined {
  const place = ctx.options.requestId
  if (!place) return ctx.headerOperation
  if ('header' in place) return singleHeader(ctx.req.headers[place.header.toLowerCase()])
  if (!call || call.params === undefined) return undefined
  const found = selectJson(call.params, place.param)
  return found.found && (typeof found.value === 'string' || typeof found.value === 'number') ? String(found.value) : undefined
}

function describeRpc(parsed: ParsedJsonRpc): Record<string, unknown> {
  if (parsed.kind === 'invalid') return {rpc: 'invalid', reason: parsed.reason}
  const calls = parsed.kind === 'single' ? [parsed.call] : parsed.calls
  return {
    rpc: parsed.kind,
    calls: calls.map((c) => ({method: c.method, ...(c.hasId ? {id: c.id} : {notification: true})})),
  }
}

/**
 * One HTTP request to a JSON-RPC server: read and parse the body, let the rules pick at
 * most one call (the first call a rule fires for), then run the HTTP exchange: the whole
 * request's (single calls, invalid bodies, requests no fault hits), or that of the one call
 * of a batch a fault hit.
 * The call a fault hit (else the first call) is the call under test: 'delivery' events
 * count its deliveries and 'reply-end' evidence is its response without `jsonrpc` and `id`.
 */
export async function handleJsonRpcRequest(ctx: JsonRpcRequestContext): Promise<void> {
  const {env, req, res} = ctx
  const trial = ctx.ids.trial
  env.tracker.begin(trial)
  try {
    const body = await readLimited(req, ctx.options.maxBodyBytes ?? DEFAULT_MAX_JSONRPC_BODY).catch(() => null)
    if (body === null) return // the client went away mid-body
    const base = {proxy: env.name, conn: ctx.ids.conn, request: ctx.ids.request, trial, attempt: ctx.ids.attempt}
    if (body === undefined) {
      env.events.record({...base, type: 'request', method: req.method, path: req.url})
      env.events.record({...base, type: 'error', detail: {message: `JSON-RPC request body larger than ${ctx.options.maxBodyBytes ?? DEFAULT_MAX_JSONRPC_BODY} bytes`}})
      if (!res.headersSent) res.writeHead(413, {'content-type': 'application/json', connection: 'close'})
      res.end(JSON.stringify({error: 'faultline: request body too large'}))
      req.socket.destroySoon?.()
      return
    }
    const parsed = parseJsonRpcRequest(body)
    const calls = parsed.kind === 'single' ? [parsed.call] : parsed.kind === 'batch' ? parsed.calls : []
    const info: RequestInfo = {method: req.method ?? 'POST', path: req.url ?? '/', headers: req.headers, trial, attempt: ctx.ids.attempt, request: ctx.ids.request, body}
    if (info.attempt === undefined && ctx.owner) {
      info.attempt = ctx.owner.attemptOf(calls.length === 0 ? [info] : calls.map((call) => ({...info, rpcMethod: call.method, message: call.raw})))
      ctx.ids.attempt = info.attempt
      base.attempt = info.attempt
    }
    let decision: ReturnType<RuleSet['decide']>
    let focus: JsonRpcCall | undefined = calls[0]
    if (calls.length === 0) decision = ctx.rules.decide(info)
    for (const call of calls) {
      decision = ctx.rules.decide({...info, rpcMethod: call.method, message: call.raw})
      if (decision) {
        focus = call
        break
      }
    }
    const ids: RequestIds = {...ctx.ids, operation: operationOf(ctx, focus)}
    env.events.record({...base, operation: ids.operation, type: 'request', method: req.method, path: req.url, detail: describeRpc(parsed)})
    if (parsed.kind === 'invalid') {
      // Not ours to fix: the server answers it (typically -32700 or -32600); recorded as evidence.
      env.events.record({...base, operation: ids.operation, type: 'error', phase: 'parse', detail: {message: `not a JSON-RPC request: ${parsed.reason}`, forwarded: true}})
    }
    const action = decision?.action
    const deliveryDetail = focus ? {rpcMethod: focus.method, ...(parsed.kind === 'batch' ? {call: focus.index, calls: calls.length} : {})} : undefined
    const prepared: PreparedRequest = {
      body: body.length > 0 ? body : null,
      replyEvidence: (reply) => responseEvidence(reply, focus),
      deliveryDetail,
      statusReply: (answer) => jsonRpcStatusReply(parsed, answer),
    }
    // A fault on one call of a batch hits that call (batch-call-exchange.ts); any other request is one HTTP exchange.
    const exchange =
      parsed.kind === 'batch' && calls.length > 1 && focus && action
        ? new BatchCallExchange(env, req, res, ids, action, prepared, {items: parsed.items, call: focus})
        : new Exchange(env, req, res, ids, action, prepared)
    const running = exchange.run()
    env.tracker.end(trial)
    await running
  } catch (err) {
    env.events.record({proxy: env.name, conn: ctx.ids.conn, request: ctx.ids.request, trial, type: 'error', detail: {message: (err as Error).message}})
    if (!res.headersSent && !res.destroyed) res.writeHead(502).end()
    env.tracker.end(trial)
  }
}
