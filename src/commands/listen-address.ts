import {UsageError} from '../errors.js'

/** Parse `host:port`, `:port` or `port` (host defaults to 127.0.0.1: bind to loopback unless asked). */
export function parseListen(value: string, flag: string): {host: string; port: number} {
  const match = /^(?:(\[[^\]]+\]|[^:]*):)?(\d+)$/.exec(value.trim())
  const port = match ? Number(match[2]) : NaN
  if (!match || port > 65535) throw new UsageError(`${flag} ${value}: write host:port, e.g. 127.0.0.1:8080 (port 0 picks a free one)`)
  const host = (match[1] || '127.0.0.1').replace(/^\[(.*)\]$/, '$1')
  return {host, port}
}
