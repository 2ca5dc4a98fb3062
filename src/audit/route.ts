import {createHash} from 'node:crypto'

/** Path segments that name one resource rather than a route: numbers, UUIDs, long hex ids. */
const ID_SEGMENT = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,})$/i

/** `PUT /kv/{id}`: the method and the target with id-like segments replaced, the query dropped. */
export function routeOf(method: string, target: string): string {
  const path = target.split('?')[0] ?? target
  return `${method} ${path
    .split('/')
    .map((s) => (ID_SEGMENT.test(s) ? '{id}' : s))
    .join('/')}`
}

/** A short digest of a request body, for telling retries of one request from other requests. */
export function bodyHash(body: Buffer | string | null | undefined): string {
  return createHash('sha256')
    .update(body ?? '')
    .digest('hex')
    .slice(0, 16)
}

/** RFC 9110 §9.2.2: methods whose repetition has the effect of one request. */
const IDEMPOTENT_HTTP = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

/** True when an HTTP method may not be retried blindly (POST, PATCH, anything not idempotent). */
export function httpMethodUnsafe(method: string): boolean {
  return !IDEMPOTENT_HTTP.has(method.toUpperCase())
}

/** A gRPC `grpc-timeout` value (`100m`, `2S`) in ms, undefined when absent or malformed. */
export function grpcTimeoutMs(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^(\d{1,8})([HMSmun])$/.exec(value)
  if (!match) return undefined
  const unit = {H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6}[match[2] as 'H']
  return Number(match[1]) * unit
}
