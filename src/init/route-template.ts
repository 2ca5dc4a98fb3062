/**
 * Route templates: `/orders/8f3a…` and `/orders/91bc…` are one endpoint, `/orders/{id}`.
 * A path segment is a parameter when it looks like an identifier: a number, a UUID, a long hex
 * or mixed letters-and-digits token.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const NUMBER = /^\d+$/
const HEX = /^[0-9a-f]{8,}$/i
const TOKEN = /^[A-Za-z0-9_.~-]{6,}$/

/** Does this path segment look like an identifier rather than a fixed word of the route? */
export function looksLikeId(segment: string): boolean {
  if (UUID.test(segment) || NUMBER.test(segment) || HEX.test(segment)) return true
  // `fl-926ad80a-0-11`, `ord_8F3a21`: letters and digits mixed in one long token.
  return TOKEN.test(segment) && /\d/.test(segment) && /[A-Za-z]/.test(segment) && !/^v\d+$/i.test(segment)
}

/** A path as a route: its segments, with the positions that are parameters. */
export interface RouteTemplate {
  /** `/orders/{id}/items/{id2}` */
  template: string
  segments: string[]
  /** Indexes of the segments that are parameters. */
  params: number[]
}

function split(path: string): string[] {
  return path.split('/').slice(1)
}

/**
 * Template each path by its id-like segments. Words that merely differ (`/users/alice`,
 * `/users/bob`) stay literal: `/naive/counters/{id}` and `/dedup/counters/{id}` differ in one
 * word too, and are different endpoints.
 */
export function routeTemplate(path: string): RouteTemplate {
  const segments = split(path)
  return build(segments, segments.map((s) => looksLikeId(s)))
}

function build(segments: string[], isParam: boolean[]): RouteTemplate {
  const params: number[] = []
  const parts = segments.map((s, k) => {
    if (!isParam[k]) return s
    params.push(k)
    return params.length === 1 ? '{id}' : `{id${params.length}}`
  })
  return {template: '/' + parts.join('/'), segments, params}
}
