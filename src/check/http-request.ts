import type {Dispatcher} from 'undici'

/** A request after templates were rendered: ready to send. */
export interface RenderedRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: unknown
}

export interface HttpReply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** The wire form of a rendered request: JSON bodies serialised, content-type defaulted. */
export function encodeRequest(request: RenderedRequest): {headers: Record<string, string>; body?: string} {
  const headers = {...request.headers}
  if (request.body === undefined) return {headers}
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
  if (typeof request.body === 'string') {
    if (!hasType) headers['content-type'] = 'text/plain'
    return {headers, body: request.body}
  }
  if (!hasType) headers['content-type'] = 'application/json'
  return {headers, body: JSON.stringify(request.body)}
}

/**
 * Send one HTTP request and read the whole reply. `signal` bounds it (undici's own
 * timeouts are too coarse for sub-second client timeouts).
 */
export async function sendRequest(
  dispatcher: Dispatcher,
  request: RenderedRequest,
  extraHeaders: Record<string, string>,
  signal?: AbortSignal,
): Promise<HttpReply> {
  const {headers, body} = encodeRequest(request)
  const reply = await dispatcher.request({
    method: request.method as Dispatcher.HttpMethod,
    path: request.path,
    headers: {...headers, ...extraHeaders},
    body,
    signal,
  })
  const chunks: Buffer[] = []
  for await (const chunk of reply.body) chunks.push(chunk as Buffer)
  return {status: reply.statusCode, headers: reply.headers, body: Buffer.concat(chunks)}
}

export function parseJsonBody(body: Buffer): {ok: true; value: unknown} | {ok: false} {
  if (body.length === 0) return {ok: false}
  try {
    return {ok: true, value: JSON.parse(body.toString('utf8'))}
  } catch {
    return {ok: false}
  }
}
