import type {ServerOptions} from 'node:http'
import {MAX_TIMER_MS} from '../../timer-limit.js'

/**
 * How long the HTTP fault proxy waits for a client, in milliseconds (0 = no limit). They
 * only ever apply while the proxy is waiting for the client: once a request has fully
 * arrived, holding it or its reply (a delay or drop fault) is the proxy's own doing and no
 * timeout here cuts it short.
 */
export interface HttpTimeouts {
  /** From a connection's first byte (or the end of the previous reply) to a complete request head. */
  headersTimeout: number
  /** From the start of a request to its last body byte. */
  requestTimeout: number
  /** How long a kept-alive connection may sit idle between requests. */
  keepAliveTimeout: number
}

/**
 * Production-like defaults: Node's http server for the head (60 s, as nginx's
 * client_header_timeout) and the whole request (300 s); keep-alive a little longer than
 * the 60 s idle timeout of common load balancers, so a client pool never races the proxy's close.
 */
export const DEFAULT_HTTP_TIMEOUTS: Readonly<HttpTimeouts> = {
  headersTimeout: 60_000,
  requestTimeout: 300_000,
  keepAliveTimeout: 65_000,
}

/** Node checks head and request deadlines on an interval; check often enough for short ones. */
function checkingInterval(t: HttpTimeouts): number {
  const limits = [t.headersTimeout, t.requestTimeout].filter((ms) => ms > 0)
  if (limits.length === 0) return 30_000
  return Math.min(30_000, Math.max(10, Math.floor(Math.min(...limits) / 4)))
}

/**
 * What is wrong with these timeouts, or undefined. Node requires the head to be due no
 * later than the whole request.
 */
export function timeoutsProblem(t: HttpTimeouts): string | undefined {
  for (const [name, ms] of Object.entries(t)) {
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_TIMER_MS) return `${name} must be a whole number of milliseconds from 0 to ${MAX_TIMER_MS}`
  }
  if (t.requestTimeout > 0 && t.headersTimeout > t.requestTimeout) {
    return `the headers timeout (${t.headersTimeout} ms) must not exceed the request timeout (${t.requestTimeout} ms)`
  }
  return undefined
}

/** The node:http server options that enforce `t`. */
export function httpServerOptions(t: HttpTimeouts): ServerOptions {
  return {
    keepAlive: true,
    keepAliveTimeout: t.keepAliveTimeout,
    headersTimeout: t.headersTimeout,
    requestTimeout: t.requestTimeout,
    connectionsCheckingInterval: checkingInterval(t),
  }
}
