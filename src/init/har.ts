import {readFile} from 'node:fs/promises'
import {ScenarioError} from '../errors.js'

/** One request and its reply as a recording saw them (a HAR entry, decoded). */
export interface RecordedExchange {
  /** 0-based position in the recording. */
  index: number
  method: string
  /** scheme://host:port of the request URL. */
  origin: string
  /** Path without the query. */
  path: string
  /** `?a=1&b=2` or ''. */
  query: string
  /** Request headers, names lower case, the ones a client sets per connection left out. */
  headers: Record<string, string>
  /** The request body as text, '' when none. */
  bodyText: string
  status: number
  /** The reply body as text, '' when none. */
  replyText: string
}

/** Headers a replay must not copy: the client and proxy set them per connection and body. */
const TRANSPORT_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'accept-encoding',
  'user-agent',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'cookie',
  'authorization',
])

interface HarHeader {
  name?: unknown
  value?: unknown
}

/** Read a HAR 1.2 file and return its entries, in the order they were recorded. */
export async function readHar(file: string): Promise<RecordedExchange[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new ScenarioError({file}, `cannot read the recording: ${(error as Error).message}`, {cause: error})
  }
  return parseHar(file, text)
}

/** Parse HAR text; `file` names it in errors. */
export function parseHar(file: string, text: string): RecordedExchange[] {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new ScenarioError(positionOf(file, text, error), `not a HAR file: it is not JSON (${(error as Error).message.split('\n')[0]}); give a HAR 1.2 recording (log.entries), an OpenAPI document or a .proto file`, {cause: error})
  }
  const log = (data as {log?: {entries?: unknown; version?: unknown}} | null)?.log
  if (!log || !Array.isArray(log.entries)) {
    throw new ScenarioError({file, line: 1, column: 1}, 'not a HAR file: there is no log.entries list; give a HAR 1.2 recording such as `faultline record` or a browser writes')
  }
  const exchanges: RecordedExchange[] = []
  log.entries.forEach((entry: unknown, i: number) => exchanges.push(decodeEntry(file, text, entry, i)))
  if (exchanges.length === 0) {
    throw new ScenarioError({file, line: 1, column: 1}, 'log.entries is empty: the recording holds no requests; record some traffic first')
  }
  if (exchanges.every((e) => e.status === 0)) {
    throw new ScenarioError({file, line: 1, column: 1}, 'no request in log.entries got a reply (response.status is 0 in every entry); record traffic while the server answers')
  }
  return exchanges
}

function decodeEntry(file: string, text: string, entry: unknown, index: number): RecordedExchange {
  const e = entry as {request?: Record<string, unknown>; response?: Record<string, unknown>}
  const request = e?.request
  const fail = (field: string, what: string): never => {
    throw new ScenarioError(entryPosition(file, text, index), `log.entries[${index}].${field}: ${what}`)
  }
  if (!request || typeof request.method !== 'string') return fail('request.method', 'missing; each entry needs request.method and request.url')
  if (typeof request.url !== 'string') return fail('request.url', 'missing; write the absolute URL the request went to')
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    return fail('request.url', `${JSON.stringify(request.url)} is not an absolute URL; write e.g. http://127.0.0.1:3000/orders`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail('request.url', `${url.protocol} is not http: or https:`)
  const response = e.response
  const status = response?.status
  if (typeof status !== 'number') return fail('response.status', 'missing; each entry needs the reply status (a request without a reply cannot be compared)')
  return {
    index,
    method: request.method.toUpperCase(),
    origin: url.origin,
    path: decodePath(url.pathname),
    query: url.search,
    headers: decodeHeaders(request.headers),
    bodyText: typeof (request.postData as {text?: unknown} | undefined)?.text === 'string' ? ((request.postData as {text: string}).text) : '',
    status,
    replyText: decodeContent(response?.content),
  }
}

/** `/files/a%20b` -> `/files/a b`; a malformed escape is kept as recorded. */
function decodePath(pathname: string): string {
  try {
    return decodeURI(pathname)
  } catch {
    return pathname
  }
}

function decodeHeaders(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!Array.isArray(raw)) return out
  for (const h of raw as HarHeader[]) {
    if (typeof h?.name !== 'string' || typeof h.value !== 'string') continue
    const name = h.name.toLowerCase()
    // HTTP/2 pseudo-headers (:authority) and per-connection headers are not the request's own.
    if (name.startsWith(':') || TRANSPORT_HEADERS.has(name)) continue
    out[name] = h.value
  }
  return out
}

function decodeContent(content: unknown): string {
  const c = content as {text?: unknown; encoding?: unknown} | undefined
  if (typeof c?.text !== 'string') return ''
  return c.encoding === 'base64' ? Buffer.from(c.text, 'base64').toString('utf8') : c.text
}

/** Where entry `index` starts in the text, found by counting `"request"` keys (good enough to point at). */
function entryPosition(file: string, text: string, index: number) {
  let offset = -1
  let from = 0
  for (let i = 0; i <= index; i++) {
    offset = text.indexOf('"request"', from)
    if (offset === -1) break
    from = offset + 1
  }
  return offset === -1 ? {file, line: 1, column: 1} : {file, ...lineColumn(text, offset)}
}

function positionOf(file: string, text: string, error: unknown) {
  const match = /position (\d+)/.exec((error as Error).message)
  return match ? {file, ...lineColumn(text, Number(match[1]))} : {file, line: 1, column: 1}
}

function lineColumn(text: string, offset: number): {line: number; column: number} {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return {line, column: offset - before.lastIndexOf('\n')}
}
