import type {AddressInfo} from 'node:net'

export interface HostPort {
  host: string
  port: number
}

/**
 * Split `host:port` the way Go's net.SplitHostPort does: `[::1]:80`, `name:80`, `:80`
 * (empty host). Throws an Error with Go-like wording when the port is missing or bad.
 */
export function splitHostPort(address: string): HostPort {
  let host: string
  let portText: string
  if (address.startsWith('[')) {
    const close = address.indexOf(']')
    if (close < 0) throw new Error(`address ${address}: missing ']' in address`)
    host = address.slice(1, close)
    if (address[close + 1] !== ':') throw new Error(`address ${address}: missing port in address`)
    portText = address.slice(close + 2)
  } else {
    const colon = address.lastIndexOf(':')
    if (colon < 0) throw new Error(`address ${address}: missing port in address`)
    host = address.slice(0, colon)
    if (host.includes(':')) throw new Error(`address ${address}: too many colons in address`)
    portText = address.slice(colon + 1)
  }
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`address ${address}: invalid port`)
  return {host, port}
}

/**
 * Where to bind for a listen address. `localhost` binds 127.0.0.1 (as Toxiproxy reports it);
 * an empty host binds every interface.
 */
export function bindAddress(listen: string): {host: string | undefined; port: number} {
  const {host, port} = splitHostPort(listen)
  if (host === 'localhost') return {host: '127.0.0.1', port}
  return {host: host === '' ? undefined : host, port}
}

/** A bound address as `ip:port` or `[ipv6]:port`. */
export function formatAddress(address: AddressInfo | string | null): string {
  if (address === null || typeof address === 'string') return String(address)
  return address.family === 'IPv6'
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`
}
