/**
 * Value templating: the literal values a recording carries (the key in a path, an
 * Idempotency-Key, a request id in a body) replaced by the templates that give every trial
 * fresh ones. A substitution maps a recorded literal to a template name.
 */

export type TemplateName = 'key' | 'requestId' | 'uuid'

export type Substitutions = ReadonlyMap<string, TemplateName>

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(text: string): boolean {
  return UUID.test(text)
}

/** Field and header names that carry an operation's stable id. */
const REQUEST_ID_NAME = /^(x-)?(idempotency[-_]?key|request[-_]?id|idempotency[-_]?token|operation[-_]?id|client[-_]?request[-_]?id|dedup(lication)?[-_]?(key|id))$/i

export function isRequestIdName(name: string): boolean {
  return REQUEST_ID_NAME.test(name)
}

/**
 * Replace every recorded literal inside text with its template (longest literal first), where
 * it stands alone: `v-8f3a21` and `/orders/42/items` take the key, `SKU-1420` keeps its 42.
 */
export function templateText(text: string, subs: Substitutions): string {
  let out = text
  for (const [literal, name] of [...subs].sort((a, b) => b[0].length - a[0].length)) {
    if (literal.length === 0) continue
    const escaped = literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'g'), `{{${name}}}`)
  }
  return out
}

/** templateText over every string of a JSON value (object keys stay as they are). */
export function templateJson(value: unknown, subs: Substitutions): unknown {
  if (typeof value === 'string') return templateText(value, subs)
  if (Array.isArray(value)) return value.map((v) => templateJson(v, subs))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, templateJson(v, subs)]))
  }
  return value
}

/**
 * Literals in a JSON body that become templates: strings under a request-id-like name are
 * `{{requestId}}`, other UUIDs `{{uuid}}`. Found into `subs` (existing entries win).
 */
export function collectBodyIds(value: unknown, subs: Map<string, TemplateName>, name = ''): void {
  if (typeof value === 'string') {
    if (value.length === 0 || subs.has(value)) return
    if (isRequestIdName(name)) subs.set(value, 'requestId')
    else if (isUuid(value)) subs.set(value, 'uuid')
    return
  }
  if (Array.isArray(value)) for (const v of value) collectBodyIds(v, subs, name)
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) collectBodyIds(v, subs, k)
}

/** Parse JSON text, or undefined when it is not JSON. */
export function parseJson(text: string): {value: unknown} | undefined {
  if (text.trim() === '') return undefined
  try {
    return {value: JSON.parse(text) as unknown}
  } catch {
    return undefined
  }
}
