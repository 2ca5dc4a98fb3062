/**
 * Drive a server with real requests and keep what it saw as HAR 1.2, the shape a recorder
 * (`faultline record`, a browser's "Save all as HAR") writes: log.version, creator, entries
 * with startedDateTime, request method/url/headers/queryString/postData, response
 * status/headers/content, timings.
 */

export interface RecordedCallSpec {
  method: string
  path: string
  headers?: Record<string, string>
  body?: unknown
}

interface HarNameValue {
  name: string
  value: string
}

export interface HarFile {
  log: {version: string; creator: {name: string; version: string}; entries: unknown[]}
}

export async function recordHar(baseUrl: string, calls: RecordedCallSpec[]): Promise<HarFile> {
  const entries: unknown[] = []
  for (const call of calls) entries.push(await recordOne(baseUrl, call))
  return {log: {version: '1.2', creator: {name: 'faultline-test-recorder', version: '1'}, entries}}
}

async function recordOne(baseUrl: string, call: RecordedCallSpec): Promise<unknown> {
  const url = new URL(call.path, baseUrl)
  const text = call.body === undefined ? undefined : JSON.stringify(call.body)
  const headers: Record<string, string> = {accept: 'application/json', 'user-agent': 'test-recorder/1', ...(text !== undefined ? {'content-type': 'application/json'} : {}), ...call.headers}
  const started = new Date()
  const begin = performance.now()
  const response = await fetch(url, {method: call.method, headers, ...(text !== undefined ? {body: text} : {})})
  const replyText = await response.text()
  const time = performance.now() - begin
  const pairs = (h: Iterable<[string, string]>): HarNameValue[] => [...h].map(([name, value]) => ({name, value}))
  return {
    startedDateTime: started.toISOString(),
    time,
    request: {
      method: call.method,
      url: url.href,
      httpVersion: 'HTTP/1.1',
      headers: [{name: 'Host', value: url.host}, ...pairs(Object.entries(headers))],
      queryString: pairs(url.searchParams.entries()),
      cookies: [],
      headersSize: -1,
      bodySize: text === undefined ? 0 : Buffer.byteLength(text),
      ...(text !== undefined ? {postData: {mimeType: 'application/json', text}} : {}),
    },
    response: {
      status: response.status,
      statusText: response.statusText,
      httpVersion: 'HTTP/1.1',
      headers: pairs(response.headers.entries()),
      cookies: [],
      content: {size: Buffer.byteLength(replyText), mimeType: response.headers.get('content-type') ?? 'application/octet-stream', text: replyText},
      redirectURL: '',
      headersSize: -1,
      bodySize: Buffer.byteLength(replyText),
    },
    cache: {},
    timings: {send: 0, wait: time, receive: 0},
  }
}
