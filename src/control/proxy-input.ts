import {apiErrors} from './api-error.js'

/** A proxy as a client asks for it (POST /proxies, one /populate entry, one config entry). */
export interface ProxyInput {
  name: string
  /** Defaults to 127.0.0.1:0 (a free port on loopback). */
  listen: string
  upstream: string
  /** Defaults to true. */
  enabled: boolean
  /** Defaults to `tcp`; other protocols exist when a module registered them. */
  protocol: string
}

/** The fields a proxy update may carry; absent ones keep their value. */
export interface ProxyPatch {
  listen?: string
  upstream?: string
  enabled?: boolean
}

export const DEFAULT_LISTEN = '127.0.0.1:0'

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function field<T extends 'string' | 'boolean'>(
  body: Record<string, unknown>,
  key: string,
  type: T,
): (T extends 'string' ? string : boolean) | undefined {
  const value = body[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== type) throw apiErrors.badRequestBody(`field "${key}" must be a ${type}`)
  return value as T extends 'string' ? string : boolean
}

/** The body must be a JSON object. */
export function asObject(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw apiErrors.badRequestBody('expected a JSON object')
  return body
}

/**
 * Validate one proxy definition. `where` (` at proxy 2`) is appended to a missing-field
 * message, as Toxiproxy's populate does. Name is checked before upstream.
 */
export function parseProxyInput(body: unknown, where = ''): ProxyInput {
  const object = asObject(body)
  const name = field(object, 'name', 'string')
  const listen = field(object, 'listen', 'string')
  const upstream = field(object, 'upstream', 'string')
  const enabled = field(object, 'enabled', 'boolean')
  const protocol = field(object, 'protocol', 'string')
  if (!name) throw apiErrors.missingField(`name${where}`)
  if (!upstream) throw apiErrors.missingField(`upstream${where}`)
  return {
    name,
    listen: listen || DEFAULT_LISTEN,
    upstream,
    enabled: enabled ?? true,
    protocol: protocol || 'tcp',
  }
}

export function parseProxyPatch(body: unknown): ProxyPatch {
  const object = asObject(body)
  const patch: ProxyPatch = {}
  const listen = field(object, 'listen', 'string')
  const upstream = field(object, 'upstream', 'string')
  const enabled = field(object, 'enabled', 'boolean')
  if (listen !== undefined) patch.listen = listen
  if (upstream !== undefined) patch.upstream = upstream
  if (enabled !== undefined) patch.enabled = enabled
  return patch
}
