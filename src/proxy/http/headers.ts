import type {IncomingHttpHeaders} from 'node:http'

/** Marker headers faultline's own client adds; the proxy reads and strips them. */
export const TRIAL_HEADER = 'x-faultline-trial'
export const ATTEMPT_HEADER = 'x-faultline-attempt'

/** Headers that belong to one connection, not to the message (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
])

/**
 * Request headers as they go to the server: no hop-by-hop headers, no faultline markers, and
 * `host` naming the server itself (the client only addressed the proxy because of faultline).
 */
export function outboundRequestHeaders(headers: IncomingHttpHeaders, host?: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  const listed = connectionListed(headers.connection)
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue
    if (name === TRIAL_HEADER || name === ATTEMPT_HEADER) continue
    out[name] = value
  }
  if (host !== undefined) out.host = host
  return out
}

/** Reply headers as they go back to the client: no hop-by-hop headers. */
export function outboundReplyHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  const listed = connectionListed(headers.connection)
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue
    out[name] = value
  }
  return out
}

const NONE: ReadonlySet<string> = new Set()

function connectionListed(value: string | string[] | undefined): ReadonlySet<string> {
  // The common values name no other header; skip the parsing for them.
  if (!value || value === 'keep-alive' || value === 'close' || value === 'Keep-Alive') return NONE
  const joined = Array.isArray(value) ? value.join(',') : value
  return new Set(
    joined
      .split(',')
      .map((v) => v.trim().toLowerCase())
      .filter(Boolean),
  )
}
