import {readFile} from 'node:fs/promises'
import {Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction} from 'ajv'
import {describeValue} from './duration.js'
import type {PathSegment, YamlSource} from './source.js'

/**
 * JSON Schema validation of parsed YAML with errors people can act on: one line, the field
 * path, what is allowed, a "did you mean" for near misses, and the file:line:column of the
 * offending key or value.
 */

/** The published schemas ship in the package's `schema` folder, two levels above this file. */
export function schemaUrl(name: string): URL {
  return new URL(`../../schema/${name}`, import.meta.url)
}

const validators = new Map<string, Promise<ValidateFunction>>()

/** The compiled validator for schema/<name>, read once per process. */
export function schemaValidator(name: string): Promise<ValidateFunction> {
  let pending = validators.get(name)
  if (!pending) {
    pending = readFile(schemaUrl(name), 'utf8').then((text) => {
      const ajv = new Ajv({
        allErrors: true,
        verbose: true,
        strict: true,
        strictTypes: false,
        allowUnionTypes: true,
      })
      // Editor hint understood by VS Code's JSON and YAML language servers; we use it too.
      ajv.addKeyword({keyword: 'patternErrorMessage', schemaType: 'string'})
      // Ours: what to say when a value is past its `maximum` (durations name their unit).
      ajv.addKeyword({keyword: 'maximumErrorMessage', schemaType: 'string'})
      return ajv.compile(JSON.parse(text) as AnySchemaObject)
    })
    validators.set(name, pending)
  }
  return pending
}

/** Levenshtein distance, small strings only. */
function distance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
      prev = tmp
    }
  }
  return row[b.length] as number
}

/** The candidate closest to `input` if it is close enough to be a likely typo. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase()
  let best: string | undefined
  let bestScore = Infinity
  for (const candidate of candidates) {
    const hay = candidate.toLowerCase()
    const score = hay === needle ? 0 : distance(needle, hay)
    if (score < bestScore) {
      best = candidate
      bestScore = score
    }
  }
  if (best === undefined) return undefined
  const limit = Math.max(1, Math.min(3, Math.floor(Math.max(needle.length, best.length) / 3)))
  return bestScore <= limit ? best : undefined
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
}

function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return []
  const path: PathSegment[] = []
  let node: unknown = data
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (Array.isArray(node)) {
      path.push(Number(seg))
      node = node[Number(seg)]
    } else {
      path.push(seg)
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined
    }
  }
  return path
}

/** An unknown field, reported at its key, with a "did you mean" and the fields allowed there. */
function unknownField(path: PathSegment[], name: string, parent: AnySchemaObject, keyword: string): Problem {
  const allowed = Object.keys((parent.properties ?? {}) as object)
  const guess = didYouMean(name, allowed)
  const suggestion = guess ? ` (did you mean ${guess}?)` : ''
  const list =
    allowed.length > 0 ? `; allowed here: ${allowed.join(', ')}` : '; no fields are allowed here'
  return {
    path: [...path, name],
    key: true,
    message: `unknown field${suggestion}${list}`,
    keyword,
  }
}

/** A number past `minimum`/`maximum`/`exclusive…`: the schema's own message where it has one. */
function numberLimitMessage(keyword: 'minimum' | 'maximum' | 'exclusiveMinimum' | 'exclusiveMaximum', limit: unknown, parent: AnySchemaObject, hint: string | undefined, got: string): string {
  const above = keyword === 'maximum' || keyword === 'exclusiveMaximum'
  if (above && typeof parent.maximumErrorMessage === 'string') return `${parent.maximumErrorMessage}${got}`
  if (hint && !above) return `${hint}${got}`
  const words = {
    minimum: 'at least',
    maximum: 'at most',
    exclusiveMinimum: 'greater than',
    exclusiveMaximum: 'less than',
  }[keyword]
  return `must be ${words} ${String(limit)}${got}`
}

interface Problem {
  path: PathSegment[]
  key: boolean
  message: string
  keyword: string
}

function describeProblem(error: ErrorObject, data: unknown): Problem {
  const path = pointerToPath(error.instancePath, data)
  const parent = (error.parentSchema ?? {}) as AnySchemaObject
  const got = ` (got ${describeValue(error.data)})`
  const hint = typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : undefined
  const params = error.params as Record<string, unknown>
  const plain = (message: string): Problem => ({path, key: false, message, keyword: error.keyword})
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownField(path, String(params.additionalProperty), parent, error.keyword)
    case 'required': {
      const name = String(params.missingProperty)
      const property = ((parent.properties ?? {}) as Record<string, AnySchemaObject>)[name]
      const about =
        typeof property?.description === 'string' ? ` (${property.description.replace(/\.$/, '')})` : ''
      return plain(`missing required field "${name}"${about}`)
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String)
      return plain(`must be one of ${allowed.join(', ')}${got}`)
    }
    case 'const':
      return plain(`must be ${JSON.stringify(params.allowedValue)}${got}`)
    case 'type': {
      if (hint) return plain(`${hint}${got}`)
      const types = String(params.type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t)
      return plain(`must be ${types.join(' or ')}${got}`)
    }
    case 'pattern':
      return plain(`${hint ?? `must match the pattern ${String(params.pattern)}`}${got}`)
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return plain(numberLimitMessage(error.keyword, params.limit, parent, hint, got))
    case 'minItems':
    case 'maxItems': {
      if (hint) return plain(`${hint}${got}`)
      const n = Number(params.limit)
      const words = error.keyword === 'minItems' ? 'at least' : 'at most'
      return plain(
        `must list ${words} ${n} item${n === 1 ? '' : 's'} (got ${(error.data as unknown[]).length})`,
      )
    }
    case 'minLength':
      return plain(
        params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters`,
      )
    case 'uniqueItems': {
      const items = error.data as unknown[]
      return plain(`lists ${describeValue(items[Number(params.j)])} twice`)
    }
    case 'minProperties':
    case 'maxProperties': {
      const names = Object.keys((parent.properties ?? {}) as object)
      if (parent.minProperties === 1 && parent.maxProperties === 1) {
        return plain(`must set exactly one of ${names.join(', ')}`)
      }
      return plain(error.message ?? 'has the wrong number of fields')
    }
    case 'false schema':
      return {path, key: true, message: 'not allowed here', keyword: error.keyword}
    default:
      return plain(error.message ?? 'is not valid')
  }
}

const COMBINATORS = new Set(['if', 'then', 'else', 'anyOf', 'oneOf', 'allOf', 'not'])
const PRIORITY = ['additionalProperties', 'enum', 'const', 'type', 'pattern', 'required']

/**
 * Validate `source.data`; on failure throw a ScenarioError for the most useful error:
 * combinator summaries are dropped, a "missing" field next to an unknown one is taken to
 * be its typo, and otherwise the error earliest in the file wins (people fix top down).
 */
export function validateSource(source: YamlSource, validate: ValidateFunction): void {
  if (validate(source.data)) return
  const errors = (validate.errors ?? []).filter((e) => !COMBINATORS.has(e.keyword))
  const problems = (errors.length > 0 ? errors : (validate.errors ?? [])).map((e) =>
    describeProblem(e, source.data),
  )
  const unknownAt = new Set(
    problems.filter((p) => p.keyword === 'additionalProperties').map((p) => p.path.slice(0, -1).join('/')),
  )
  // Where one branch of a oneOf says "wrong type" of a value and another finds a problem inside
  // it, the value has the other branch's type: the problem inside is the useful one.
  const inside = (p: Problem): boolean =>
    (p.keyword === 'type' || p.keyword === 'enum') &&
    problems.some((q) => q.path.length > p.path.length && p.path.every((seg, i) => q.path[i] === seg))
  const useful = problems.filter((p) => !(p.keyword === 'required' && unknownAt.has(p.path.join('/'))) && !inside(p))
  const rank = (p: Problem): number[] => {
    const pos = source.position(p.path, {key: p.key})
    const priority = PRIORITY.indexOf(p.keyword)
    return [pos.line ?? 0, pos.column ?? 0, -p.path.length, priority === -1 ? PRIORITY.length : priority]
  }
  const ranked = useful
    .map((p) => ({p, r: rank(p)}))
    .sort((a, b) => {
      for (let i = 0; i < a.r.length; i++)
        if (a.r[i] !== b.r[i]) return (a.r[i] as number) - (b.r[i] as number)
      return 0
    })
  const best = (ranked[0] as {p: Problem}).p
  throw source.error(best.path, best.message, {key: best.key})
}
