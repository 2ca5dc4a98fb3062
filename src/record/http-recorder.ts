import type {Dispatcher} from 'undici'
import {now} from '../events/event-log.js'
import {Exchange, type ExchangeEnv} from '../proxy/http/exchange.js'
import type {HttpRequestContext, HttpRequestInterceptor} from '../proxy/http/interceptor.js'
import {hasRequestBody, readAll} from '../proxy/http/request-body.js'
import {parseJsonRpcRequest} from '../proxy/jsonrpc/message.js'
import type {RecordedExchange} from './har.js'
import {rawHeaderList} from './redaction.js'
import {httpRoute} from './route.js'

/** What the HTTP recorder reports for each request that passed. */
export interface HttpRecording {
  exchange: RecordedExchange
  /** The routes it counts for: one, or one per call of a JSON-RPC batch. */
  routes: string[]
}

export interface HttpRecorderOptions {
  /** JSON-RPC: POST bodies name the route's method (`POST /rpc eth_call`). */
  jsonrpc?: boolean
  onRecorded(recording: HttpRecording): void
  /** Each request's recording as it starts; it settles once the request was recorded. */
  track?(recording: Promise<void>): void
}

/**
 * A layer over the HTTP proxy that records every request it forwards: it reads the request
 * body, lets the proxy's ordinary exchange forward it unchanged, and watches the server's
 * reply through an undici interceptor on the proxy's own connection pool.
 */
export function recordingInterceptor(options: HttpRecorderOptions): HttpRequestInterceptor {
  return (ctx) => {
    const recording = recordExchange(ctx, options)
    options.track?.(recording)
    return true
  }
}

async function recordExchange({env, req, res, ids}: HttpRequestContext, options: HttpRecorderOptions): Promise<void> {
  const startedAt = now()
  let body: Buffer | null = null
  if (hasRequestBody(req.headers)) {
    try {
      body = await readAll(req)
    } catch {
      return // the client left before its request was complete: nothing was forwarded
    }
  } else {
    req.resume()
  }
  const path = req.url ?? '/'
  const exchange: RecordedExchange = {
    startedAt,
    method: req.method ?? 'GET',
    url: env.upstreamUrl.origin + env.basePath + path,
    httpVersion: `HTTP/${req.httpVersion}`,
    requestHeaders: rawHeaderList(req.rawHeaders),
    requestBody: body,
    endAt: startedAt,
  }
  const watched: ExchangeEnv = {...env, dispatcher: env.dispatcher.compose((dispatch) => (opts, handler) => dispatch(opts, watchReply(handler, exchange)))}
  try {
    await new Exchange(watched, req, res, ids, undefined, {body}).run()
  } finally {
    exchange.endAt = Math.max(exchange.endAt, exchange.headAt ?? 0, exchange.sentAt ?? 0)
    options.onRecorded({exchange, routes: routesOf(exchange, path, options.jsonrpc === true)})
  }
}

/** Pass every callback on to the proxy's own handler, noting times, head and body on the way. */
function watchReply(handler: Dispatcher.DispatchHandler, x: RecordedExchange): Dispatcher.DispatchHandler {
  const chunks: Buffer[] = []
  return {
    onRequestStart(controller, context) {
      x.sentAt = now()
      handler.onRequestStart?.(controller, context)
    },
    onResponseStart(controller, status, headers, statusText) {
      if (status >= 200) {
        x.headAt = now()
        x.reply = {status, statusText: statusText ?? '', headers, body: Buffer.alloc(0)}
      }
      handler.onResponseStart?.(controller, status, headers, statusText)
    },
    onResponseData(controller, chunk) {
      chunks.push(chunk)
      handler.onResponseData?.(controller, chunk)
    },
    onResponseEnd(controller, trailers) {
      x.endAt = now()
      if (x.reply) x.reply.body = Buffer.concat(chunks)
      handler.onResponseEnd?.(controller, trailers)
    },
    onResponseError(controller, err) {
      x.endAt = now()
      x.error = err.message
      if (x.reply) x.reply.body = Buffer.concat(chunks)
      handler.onResponseError?.(controller, err)
    },
  }
}

/** `path`: as the client asked for it, without the upstream's path prefix. */
function routesOf(x: RecordedExchange, path: string, jsonrpc: boolean): string[] {
  const route = httpRoute(x.method, path)
  if (!jsonrpc || x.method !== 'POST' || !x.requestBody) return [route]
  const parsed = parseJsonRpcRequest(x.requestBody)
  if (parsed.kind === 'invalid') return [route]
  const calls = parsed.kind === 'single' ? [parsed.call] : parsed.calls
  return calls.map((c) => `${route} ${c.method}`)
}
