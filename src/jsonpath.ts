import {JSONPath} from 'jsonpath-plus'

/**
 * JSONPath over probe replies and reply bodies, via jsonpath-plus. Filters run in its
 * safe evaluator (never native eval). Results are always requested wrapped: with
 * `wrap: false` jsonpath-plus returns `undefined` for "no match" but also flattens a
 * single array match, so a selected `[]` and a missing node could not be told apart.
 */

interface MatchAll {
  value: unknown
  parent: unknown
  parentProperty: string | number | null
  path: string
}

function query(json: unknown, path: string): MatchAll[] {
  if (json === undefined) return []
  // jsonpath-plus returns nothing at all for a falsy document (null, 0, false, ""), even for `$`.
  if (!json) return path.trim() === '$' ? [{value: json, parent: null, parentProperty: null, path: '$'}] : []
  const result: unknown = JSONPath({
    path,
    json: json as object,
    resultType: 'all',
    wrap: true,
    eval: 'safe',
    ignoreEvalErrors: true,
  })
  return Array.isArray(result) ? (result as MatchAll[]) : []
}

/** The first node `path` selects in `json`; `found` tells a selected null/undefined from no match. */
export function selectJson(json: unknown, path: string): {found: boolean; value: unknown} {
  const [first] = query(json, path)
  return first ? {found: true, value: first.value} : {found: false, value: undefined}
}

/** Every node `path` selects, in document order. */
export function selectAll(json: unknown, path: string): unknown[] {
  return query(json, path).map((m) => m.value)
}

/**
 * A deep copy of `json` without the nodes any of `paths` select (volatile fields such as
 * timestamps or generated ids). Array elements are removed, not set to null, and several
 * removals from one array do not shift each other. A path selecting the root yields undefined.
 */
export function removePaths(json: unknown, paths: readonly string[]): unknown {
  if (json === undefined) return undefined
  const copy: unknown = structuredClone(json)
  const fromObjects: Array<{parent: Record<string, unknown>; key: string}> = []
  const fromArrays = new Map<unknown[], Set<number>>()
  for (const path of paths) {
    for (const m of query(copy, path)) {
      if (m.parent === null || m.parent === undefined || m.parentProperty === null) return undefined
      if (Array.isArray(m.parent)) {
        const indexes = fromArrays.get(m.parent) ?? new Set<number>()
        indexes.add(Number(m.parentProperty))
        fromArrays.set(m.parent, indexes)
      } else {
        fromObjects.push({parent: m.parent as Record<string, unknown>, key: String(m.parentProperty)})
      }
    }
  }
  for (const {parent, key} of fromObjects) delete parent[key]
  for (const [array, indexes] of fromArrays) {
    for (const i of [...indexes].sort((a, b) => b - a)) array.splice(i, 1)
  }
  return copy
}

/** Why `path` is not a JSONPath faultline accepts, or undefined when it is one. */
export function jsonPathProblem(path: string): string | undefined {
  if (!path.startsWith('$')) return 'must start with $ (the root), e.g. $.value'
  let i = 1
  while (i < path.length) {
    const ch = path[i]
    if (ch === '.') {
      const recursive = path[i + 1] === '.'
      i += recursive ? 2 : 1
      if (path[i] === '[' && recursive) continue
      const start = i
      while (i < path.length && path[i] !== '.' && path[i] !== '[') i++
      if (i === start) return `a name is missing after "${recursive ? '..' : '.'}" at character ${start + 1}`
    } else if (ch === '[') {
      const start = i
      let depth = 0
      let quote: string | undefined
      for (; i < path.length; i++) {
        const c = path[i] as string
        if (quote) {
          if (c === '\\') i++
          else if (c === quote) quote = undefined
        } else if (c === "'" || c === '"') quote = c
        else if (c === '[' || c === '(') depth++
        else if (c === ']' || c === ')') {
          depth--
          if (depth === 0) break
        }
      }
      if (i >= path.length || path[i] !== ']') return `"[" at character ${start + 1} is not closed`
      if (i === start + 1) return `empty brackets at character ${start + 1}`
      i++
    } else {
      return `unexpected "${ch}" at character ${i + 1}; use .name or ['name']`
    }
  }
  for (const segment of JSONPath.toPathArray(path)) {
    const script = /^\??\((.*)\)$/s.exec(segment)
    if (!script) continue
    try {
      const code = (script[1] as string)
        .replaceAll('@parentProperty', '_$_parentProperty')
        .replaceAll('@parent', '_$_parent')
        .replaceAll('@property', '_$_property')
        .replaceAll('@root', '_$_root')
        .replaceAll('@path', '_$_path')
        .replaceAll(/@([.\s)[]|$)/gu, '_$_v$1')
      const SafeScript = (JSONPath.prototype as unknown as {safeVm: {Script: new (code: string) => unknown}})
        .safeVm.Script
      new SafeScript(code)
    } catch (error) {
      return `bad expression "${segment}": ${(error as Error).message}`
    }
  }
  return undefined
}

/** Whether `path` is a JSONPath faultline accepts (starts at $, balanced, filters parse). */
export function isValidJsonPath(path: string): boolean {
  return jsonPathProblem(path) === undefined
}
