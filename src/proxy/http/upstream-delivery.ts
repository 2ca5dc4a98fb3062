import http, {type IncomingHttpHeaders} from 'node:http'
import type {Readable} from 'node:stream'
import type {Dispatcher} from 'undici'

/** One request as sent to the server. */
export interface UpstreamRequest {
  method: string
  path: string
  headers: Record<string, string | string[]>
  body: Buffer | Readable | null
}

/** Receives one reply as it streams in. `data` returning false asks for a pause. */
export interface ReplySink {
  /** The request is being written on a connected socket: from here on it is a delivery. */
  start?(): void
  head(status: number, headers: IncomingHttpHeaders): void
  data(chunk: Buffer): boolean
  end(): void
  error(err: Error): void
}

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
export function deliver(dispatcher: Dispatcher, request: UpstreamRequest, sink: ReplySink): DeliveryHandle {
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
  onHead?: (status: number, headers: IncomingHttpHeaders) => void,
  onStart?: () => void,
): {reply: Promise<BufferedReply>; handle: DeliveryHandle} {
  let handle!: DeliveryHandle
  const reply = new Promise<BufferedReply>((resolve, reject) => {
    let status = 0
    let headers: IncomingHttpHeaders = {}
    const chunks: Buffer[] = []
    handle = deliver(dispatcher, request, {
      start: onStart,
      head(s, h) {
        status = s
        headers = h
        onHead?.(s, h)
      },
      data(chunk) {
        chunks.push(chunk)
        return true
      },
      end: () => resolve({status, headers, body: Buffer.concat(chunks)}),
      error: reject,
    })
  })
  return {reply, handle}
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
