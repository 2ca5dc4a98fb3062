import http, {type IncomingHttpHeaders} from 'node:http'
import type {Readable} from 'node:stream'
import type {Dispatcher} from 'undici'
import {readWhole, type ReplySink, type WholeReply, type WholeReplyEvents} from '../reply-sink.js'

/** One request as sent to the server. */
export interface UpstreamRequest {
  method: string
  path: string
  headers: Record<string, string | string[]>
  body: Buffer | Readable | null
}

/** Receives one HTTP reply as it streams in: its head is the status and headers. */
export type HttpReplySink = ReplySink<[status: number, headers: IncomingHttpHeaders]>

export interface DeliveryHandle {
  /** Continue after `data` returned false. */
  resume(): void
  /** Abandon the delivery (the upstream connection is closed). */
  abort(reason?: Error): void
}

/**
 * Send one request to the server through an undici dispatcher and stream the reply into
 * `sink`, holding backpressure. Exactly one of `end` or `error` is called.
 */
export function deliver(dispatcher: Dispatcher, request: UpstreamRequest, sink: HttpReplySink): DeliveryHandle {
  let controller: Dispatcher.DispatchController | undefined
  let abortedEarly: Error | undefined
  let settled = false
  const finish = (fn: () => void) => {
    if (settled) return
    settled = true
    fn()
  }
  dispatcher.dispatch(
    {method: request.method as Dispatcher.HttpMethod, path: request.path, headers: request.headers, body: request.body},
    {
      onRequestStart(c) {
        controller = c
        if (abortedEarly) return c.abort(abortedEarly)
        sink.start?.()
      },
      onResponseStart(_c, statusCode, headers) {
        if (statusCode < 200) return // 1xx informational: wait for the final head
        sink.head(statusCode, headers)
      },
      onResponseData(c, chunk) {
        if (!sink.data(chunk)) c.pause()
      },
      onResponseEnd() {
        finish(() => sink.end())
      },
      onResponseError(_c, err) {
        finish(() => sink.error(err))
      },
    },
  )
  return {
    resume: () => controller?.resume(),
    abort: (reason = new Error('delivery aborted')) => {
      if (controller) controller.abort(reason)
      else abortedEarly = reason
    },
  }
}

/** A reply read in full. */
export interface BufferedReply {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

/** Deliver and read the whole reply into memory. */
export function deliverBuffered(
  dispatcher: Dispatcher,
  request: UpstreamRequest,
  events?: WholeReplyEvents<[number, IncomingHttpHeaders]>,
): WholeReply<BufferedReply, DeliveryHandle> {
  return readWhole((sink) => deliver(dispatcher, request, sink), ([status = 0, headers = {}], body) => ({status, headers, body}), events)
}

/**
 * Send `request` on a fresh connection (no pool, so closing it is what the server sees of a
 * crashed client). `started` runs once connected; `sent` once the whole request is on the
 * wire, and the connection is then closed. Resolves when it closed; never rejects.
 */
export function sendThenClose(upstreamUrl: URL, request: UpstreamRequest & {body: Buffer | null}, events: {started(): void; sent(): void}): Promise<void> {
  return new Promise<void>((resolve) => {
    const upstream = http.request({
      host: upstreamUrl.hostname,
      port: upstreamUrl.port,
      method: request.method,
      path: request.path,
      headers: request.headers as IncomingHttpHeaders,
      agent: false,
    })
    upstream.on('error', () => resolve())
    upstream.on('close', () => resolve())
    upstream.on('response', (r) => r.resume())
    upstream.once('socket', (socket) => socket.once('connect', events.started))
    upstream.end(request.body ?? undefined, () => {
      events.sent()
      upstream.destroy()
    })
  })
}
