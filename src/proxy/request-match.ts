import {selectJson} from '../jsonpath.js'

/** What rules can see of a request before it is forwarded. Header names are lower case. */
export interface RequestInfo {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  /** Trial id from faultline's own client marker, if present. */
  trial?: string
  /** Attempt number from faultline's own client marker, if present. */
  attempt?: number
  /** JSON-RPC: the called method's name. */
  rpcMethod?: string
  /** The parsed message (a JSON-RPC call object, a framed-TCP JSON frame) for field matchers. */
  message?: unknown
  /** Proxy-assigned id of the request (`r12`), for rule sets that observe traffic. */
  request?: string
  /** The request body, when the proxy read it before deciding (gRPC: the framed message). */
  body?: Buffer
}

/**
 * Which requests a fault may hit, as a profile or the standalone proxy's flags write it.
 * The proxy declares the shape it reads; a scenario's matcher has this shape.
 */
export interface RequestMatch {
  method?: string
  /** Glob over the path without query: `*` within a segment, `**` across segments. */
  path?: string
  /** Header name (any case) → exact value or glob. */
  headers?: Record<string, string>
}

/** A rule's selector: a request matcher plus the check runner's trial targeting. */
export interface RuleMatch extends RequestMatch {
  trial?: string
  attempt?: number
  /** JSON-RPC method name glob (`*` matches anything). */
  rpcMethod?: string
  /** JSONPath into the message → the exact value there, or a glob for string values. */
  fields?: Record<string, string | number | boolean | null>
}

/** Compiled globs, one cache per kind (path / header value); a bounded memo of a pure function. */
const globCache = {path: new Map<string, RegExp>(), value: new Map<string, RegExp>()}

/**
 * Compile a glob. For paths (`segments` true) `*` matches within one segment, `**` across
 * segments and `?` one character; for header values `*` matches anything.
 */
export function globToRegExp(glob: string, segments = true): RegExp {
  const cache = segments ? globCache.path : globCache.value
  const cached = cache.get(glob)
  if (cached) return cached
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string
    if (ch === '*') {
      if (glob[i + 1] === '*' || !segments) {
        source += '.*'
        if (glob[i + 1] === '*') i++
      } else source += '[^/]*'
    } else if (ch === '?') source += segments ? '[^/]' : '.'
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')
  }
  const re = new RegExp(`^${source}$`)
  if (cache.size < 1000) cache.set(glob, re)
  return re
}

function headerValue(headers: RequestInfo['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()]
  return Array.isArray(value) ? value.join(', ') : value
}

export function matchesRequest(match: RuleMatch | undefined, info: RequestInfo): boolean {
  if (!match) return true
  if (match.trial !== undefined && match.trial !== info.trial) return false
  if (match.attempt !== undefined && match.attempt !== info.attempt) return false
  if (match.method !== undefined && match.method.toUpperCase() !== info.method.toUpperCase()) return false
  if (match.path !== undefined) {
    const query = info.path.indexOf('?')
    if (!globToRegExp(match.path).test(query === -1 ? info.path : info.path.slice(0, query))) return false
  }
  if (match.rpcMethod !== undefined && (info.rpcMethod === undefined || !globToRegExp(match.rpcMethod, false).test(info.rpcMethod))) return false
  if (match.fields) {
    for (const [path, expected] of Object.entries(match.fields)) {
      const found = selectJson(info.message, path)
      if (!found.found) return false
      if (typeof expected === 'string' && typeof found.value === 'string') {
        if (!globToRegExp(expected, false).test(found.value)) return false
      } else if (found.value !== expected) return false
    }
  }
  if (match.headers) {
    for (const [name, expected] of Object.entries(match.headers)) {
      const actual = headerValue(info.headers, name)
      if (actual === undefined || !globToRegExp(expected, false).test(actual)) return false
    }
  }
  return true
}
