import {decodeContent} from './content-decoding.js'
import {headerList, type RecordedHeader, type Redaction} from './redaction.js'

/** One HTTP request and its reply as the recorder saw them pass (times: epoch milliseconds). */
export interface RecordedExchange {
  /** The request arrived at the proxy. */
  startedAt: number
  method: string
  /** The server's URL for this request (upstream origin, path and query). */
  url: string
  /** `HTTP/1.1` */
  httpVersion: string
  requestHeaders: RecordedHeader[]
  /** Null when the request had no body. */
  requestBody: Buffer | null
  /** The request left for the server. */
  sentAt?: number
  /** The reply head arrived. */
  headAt?: number
  /** The reply ended, or the exchange failed. */
  endAt: number
  reply?: {status: number; statusText: string; headers: Record<string, string | string[] | undefined>; body: Buffer}
  /** Why there is no (complete) reply. */
  error?: string
}

export interface HarHeader {
  name: string
  value: string
}

export interface HarContent {
  /** Bytes of the decoded body (after undoing Content-Encoding). */
  size: number
  /** Bytes the Content-Encoding saved: `size` minus the bytes that passed. */
  compression?: number
  mimeType: string
  text?: string
  encoding?: 'base64'
}

export interface HarEntry {
  startedDateTime: string
  time: number
  request: {
    method: string
    url: string
    httpVersion: string
    cookies: []
    headers: HarHeader[]
    queryString: Array<{name: string; value: string}>
    postData?: {mimeType: string; text: string; _encoding?: 'base64'}
    headersSize: -1
    bodySize: number
  }
  response: {
    status: number
    statusText: string
    httpVersion: string
    cookies: []
    headers: HarHeader[]
    content: HarContent
    redirectURL: string
    headersSize: -1
    bodySize: number
    _error?: string
  }
  cache: Record<string, never>
  timings: {send: number; wait: number; receive: number}
}

/** The part of a HAR 1.2 document before its entries (`creator`: the tool that wrote it). */
export function harHead(creator: {name: string; version: string}): string {
  const head = JSON.stringify({log: {version: '1.2', creator, entries: []}}, null, 2)
  return head.slice(0, head.lastIndexOf('[') + 1)
}

/** What closes a HAR document after its entries. */
export const HAR_TAIL = '\n    ]\n  }\n}\n'

const strictUtf8 = new TextDecoder('utf-8', {fatal: true})

/** Body bytes as HAR text: UTF-8 as it is, anything else as base64. */
function bodyText(body: Buffer): {text: string; base64: boolean} {
  try {
    return {text: strictUtf8.decode(body), base64: false}
  } catch {
    return {text: body.toString('base64'), base64: true}
  }
}

function headerValue(headers: readonly RecordedHeader[], name: string): string | undefined {
  return headers.find((h) => h.name.toLowerCase() === name)?.value
}

/** Whole, non-negative milliseconds apart, to the microsecond. */
function span(from: number | undefined, to: number | undefined): number {
  if (from === undefined || to === undefined) return 0
  return Math.max(0, Math.round((to - from) * 1000) / 1000)
}

/** One exchange as a HAR 1.2 entry, with the headers `redaction` hides replaced. */
export function harEntry(x: RecordedExchange, redaction: Redaction): HarEntry {
  const requestHeaders = redaction.headers(x.requestHeaders)
  const url = new URL(x.url)
  const request: HarEntry['request'] = {
    method: x.method,
    url: x.url,
    httpVersion: x.httpVersion,
    cookies: [],
    headers: requestHeaders,
    queryString: [...url.searchParams].map(([name, value]) => ({name, value})),
    headersSize: -1,
    bodySize: x.requestBody?.length ?? 0,
  }
  if (x.requestBody && x.requestBody.length > 0) {
    const {text, base64} = bodyText(x.requestBody)
    request.postData = {mimeType: headerValue(x.requestHeaders, 'content-type') ?? 'application/octet-stream', text, ...(base64 ? {_encoding: 'base64' as const} : {})}
  }
  const reply = x.reply
  const replyHeaders = reply ? redaction.headers(headerList(reply.headers)) : []
  // HAR's content is the body as the server meant it, before Content-Encoding; bodySize is what passed.
  const decoded = reply ? decodeContent(reply.body, headerValue(replyHeaders, 'content-encoding')) : undefined
  const replyBody = decoded ?? reply?.body
  const content: HarContent = {size: replyBody?.length ?? 0, mimeType: reply ? (headerValue(replyHeaders, 'content-type') ?? '') : ''}
  if (decoded && reply) content.compression = decoded.length - reply.body.length
  if (replyBody && replyBody.length > 0) {
    const {text, base64} = bodyText(replyBody)
    content.text = text
    if (base64) content.encoding = 'base64'
  }
  const response: HarEntry['response'] = {
    status: reply?.status ?? 0,
    statusText: reply?.statusText ?? '',
    httpVersion: 'HTTP/1.1',
    cookies: [],
    headers: replyHeaders,
    content,
    redirectURL: headerValue(replyHeaders, 'location') ?? '',
    headersSize: -1,
    bodySize: reply ? reply.body.length : -1,
  }
  if (x.error !== undefined) response._error = x.error
  const timings = {send: span(x.startedAt, x.sentAt ?? x.endAt), wait: span(x.sentAt, x.headAt ?? x.endAt), receive: span(x.headAt, x.endAt)}
  return {
    startedDateTime: new Date(x.startedAt).toISOString(),
    time: Math.round((timings.send + timings.wait + timings.receive) * 1000) / 1000,
    request,
    response,
    cache: {},
    timings,
  }
}
