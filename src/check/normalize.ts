import {isDeepStrictEqual} from 'node:util'
import {removePaths} from '../jsonpath.js'

/**
 * Make two trials' JSON comparable: strings holding a trial's own template values (its key,
 * its request id, the uuids it rendered) get placeholders, and declared volatile fields are
 * removed.
 */
export function normalizeJson(value: unknown, substitutions: ReadonlyArray<readonly [string, string]>, volatile: string[]): unknown {
  const replaced = replaceStrings(value, substitutions.filter(([, v]) => v.length > 0))
  return volatile.length > 0 ? removePaths(replaced, volatile) : replaced
}

function replaceStrings(value: unknown, pairs: ReadonlyArray<readonly [string, string]>): unknown {
  if (typeof value === 'string') {
    let out = value
    for (const [name, actual] of pairs) out = out.split(actual).join(`{{${name}}}`)
    return out
  }
  if (Array.isArray(value)) return value.map((v) => replaceStrings(v, pairs))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[replaceStrings(k, pairs) as string] = replaceStrings(v, pairs)
    return out
  }
  return value
}

export function sameJson(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b)
}
