import type {IncomingMessage, ServerResponse} from 'node:http'
import {selectJson} from '../../jsonpath.js'
import type {ProxyEventInput} from '../../events/event-log.js'
import {describeFault, type FaultAction} from '../fault.js'
import {Exchange, type ExchangeEnv} from '../http/exchange.js'
import {outboundReplyHeaders, outboundRequestHeaders} from '../http/headers.js'
import {singleHeader, type RequestIds} from '../request-ids.js'
import type {RequestInfo} from '../request-match.js'
import {deliverBuffered, type BufferedReply} from '../http/upstream-delivery.js'
import type {RuleSet} from '../rule-set.js'
import {batchWithout, callAlone, parseJsonRpcRequest, replyWithout, responseEvidence, type JsonRpcCall, type ParsedJsonRpc} from './message.js'
import {pendingSleep} from '../pending-sleep.js'
import {jsonRpcStatusReply} from './error-reply.js'

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

/** Faults that hit one call of a batch; every other fault hits the whole HTTP request. */
const PER_CALL = new Set<FaultAction['type']>(['drop-request', 'drop-reply', 'duplicate'])

export interface JsonRpcRequestContext {
  env: ExchangeEnv
  rules: RuleSet
  options: JsonRpcProxyOptions
  req: IncomingMessage
  res: ServerResponse
  ids: RequestIds
  /** The operation id from the proxy's default headers, used when no requestId place is declared. */
  headerOperation?: string
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
 * most one call (the first call a rule fires for), then either run the ordinary HTTP
 * exchange (single calls, invalid bodies, whole-request faults) or a per-call batch fault.
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
    const info: RequestInfo = {method: req.method ?? 'POST', path: req.url ?? '/', headers: req.headers, trial, attempt: ctx.ids.attempt, request: ctx.ids.request}
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
    if (parsed.kind === 'batch' && calls.length > 1 && focus && action && PER_CALL.has(action.type)) {
      const running = new BatchCallExchange(env, req, res, ids, action, parsed.items, focus).run()
      env.tracker.end(trial)
      await running
      return
    }
    const running = new Exchange(env, req, res, ids, action, {
      body: body.length > 0 ? body : null,
      replyEvidence: (reply) => responseEvidence(reply, focus),
      deliveryDetail,
      statusReply: (answer) => jsonRpcStatusReply(parsed, answer),
    }).run()
    env.tracker.end(trial)
    await running
  } catch (err) {
    env.events.record({proxy: env.name, conn: ctx.ids.conn, request: ctx.ids.request, trial, type: 'error', detail: {message: (err as Error).message}})
    if (!res.headersSent && !res.destroyed) res.writeHead(502).end()
    env.tracker.end(trial)
  }
}

/**
 * A fault on one call inside a batch: drop that call before the server sees it, drop its
 * response entry from the batch reply, or deliver that call once more on its own. The rest
 * of the batch goes through untouched.
 */
class BatchCallExchange {
  private deliveries = 0
  private clientGone = false

  constructor(
    private readonly env: ExchangeEnv,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly ids: RequestIds,
    private readonly fault: FaultAction,
    private readonly items: unknown[],
    private readonly call: JsonRpcCall,
  ) {
    res.once('close', () => {
      this.clientGone = !res.writableFinished
    })
  }

  async run(): Promise<void> {
    const {tracker} = this.env
    tracker.begin(this.ids.trial)
    try {
      const full = Buffer.from(JSON.stringify(this.items))
      switch (this.fault.type) {
        case 'drop-request':
          return await this.dropCall()
        case 'drop-reply': {
          const reply = await this.deliver(full, 'batch')
          this.recordFault('reply')
          return await this.send(reply, replyWithout(reply.body, this.call.id) ?? reply.body)
        }
        case 'duplicate':
          return await this.duplicate(full, this.fault.mode, this.fault.delay)
        default:
          throw new Error(`${this.fault.type} is not a per-call fault`)
      }
    } catch (err) {
      this.record({type: 'error', detail: {message: (err as Error).message, code: (err as NodeJS.ErrnoException).code}})
      if (!this.clientGone && !this.res.headersSent && !this.res.destroyed) {
        this.res.writeHead(502, {'content-type': 'application/json', 'x-faultline-error': 'upstream'})
        this.res.end(JSON.stringify({error: `faultline: upstream failed: ${(err as Error).message}`}))
      }
    } finally {
      tracker.end(this.ids.trial)
    }
  }

  private record(event: Omit<ProxyEventInput, 'request'>): void {
    const {conn, request, trial, attempt, operation} = this.ids
    this.env.events.record({proxy: this.env.name, conn, request, trial, attempt, operation, ...event})
  }

  private recordFault(phase: string, detail?: Record<string, unknown>): void {
    const call = {call: this.call.index, rpcMethod: this.call.method, id: this.call.id}
    this.record({type: 'fault', fault: this.fault.type, phase, detail: {label: describeFault(this.fault), ...call, ...detail}})
  }

  private headers(): Record<string, string | string[]> {
    const headers = outboundRequestHeaders(this.req.headers, this.env.upstreamUrl.host)
    delete headers['content-length']
    return headers
  }

  /**
   * Send a body to the server and read the reply. `counted`: the body holds the call under
   * test ('batch' or 'alone'), so it is a delivery of it; 'without' is the rest of a batch.
   */
  private async deliver(body: Buffer, shape: 'batch' | 'alone' | 'without'): Promise<BufferedReply> {
    const delivery = shape === 'without' ? undefined : ++this.deliveries
    const detail = {rpcMethod: this.call.method, call: this.call.index, calls: this.items.length, sent: shape}
    // Recorded once the request is written on a connected socket: a refused send is no delivery.
    const started = () => {
      if (delivery !== undefined) this.record({type: 'delivery', delivery, method: this.req.method, path: this.req.url, detail})
    }
    this.env.tracker.begin(this.ids.trial)
    try {
      const {reply} = deliverBuffered(
        this.env.dispatcher,
        {method: this.req.method ?? 'POST', path: this.env.basePath + (this.req.url ?? '/'), headers: this.headers(), body},
        (status) => {
          if (delivery !== undefined) this.record({type: 'reply', delivery, status})
        },
        started,
      )
      const result = await reply
      if (delivery !== undefined) {
        const evidence: Record<string, unknown> = {bytes: result.body.length}
        if (this.env.captureBytes > 0) {
          evidence.body = responseEvidence(result.body, this.call) ?? result.body.subarray(0, this.env.captureBytes).toString('utf8')
        }
        this.record({type: 'reply-end', delivery, status: result.status, detail: evidence})
      }
      return result
    } catch (err) {
      this.record({type: 'error', delivery, detail: {message: (err as Error).message, phase: 'delivery'}})
      throw err
    } finally {
      this.env.tracker.end(this.ids.trial)
    }
  }

  private send(reply: BufferedReply, body: Buffer, delivery: number | undefined = 1): Promise<void> {
    return new Promise((resolve) => {
      if (this.clientGone || this.res.destroyed) return resolve()
      const headers = outboundReplyHeaders(reply.headers)
      delete headers['content-length']
      this.res.writeHead(reply.status, {...headers, 'content-length': String(body.length)})
      this.res.end(body, () => {
        this.record({type: 'forwarded', delivery, status: reply.status})
        resolve()
      })
      this.res.once('close', () => resolve())
    })
  }

  private sleep(ms: number): Promise<void> {
    return pendingSleep(ms, this.env.pending)
  }

  private async dropCall(): Promise<void> {
    this.recordFault('request', {forwardedCalls: this.items.length - 1})
    const reply = await this.deliver(batchWithout(this.items, this.call.index), 'without')
    await this.send(reply, reply.body, undefined)
  }

  private async duplicate(full: Buffer, mode: 'sequential' | 'concurrent' | 'delayed', delay: number): Promise<void> {
    this.recordFault('request', {mode, delay: mode === 'delayed' ? delay : undefined, copies: 2})
    const again = () => this.deliver(callAlone(this.call), 'alone').then(
      () => undefined,
      () => undefined,
    )
    const original = async () => {
      const reply = await this.deliver(full, 'batch')
      await this.send(reply, reply.body)
    }
    if (mode === 'sequential') {
      await original()
      await again()
      return
    }
    if (mode === 'concurrent') {
      await Promise.all([original(), again()])
      return
    }
    this.env.tracker.begin(this.ids.trial)
    try {
      await Promise.all([
        original(),
        (async () => {
          await this.sleep(delay)
          await again()
        })(),
      ])
    } finally {
      this.env.tracker.end(this.ids.trial)
    }
  }
}
