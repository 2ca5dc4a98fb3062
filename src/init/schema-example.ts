import {isRequestIdName} from './value-template.js'

/** A (dereferenced) JSON Schema as OpenAPI 3.0 and 3.1 write it. */
export interface Schema {
  type?: string | string[]
  format?: string
  example?: unknown
  examples?: unknown[]
  default?: unknown
  const?: unknown
  enum?: unknown[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  oneOf?: Schema[]
  anyOf?: Schema[]
  allOf?: Schema[]
  minimum?: number
}

/** What building an example noticed, for the comments. */
export interface ExampleNotes {
  /** `payment: oneOf, the first of 2 taken` */
  choices: string[]
  /** Where `{{key}}` was put (a string field, so each trial writes a value of its own). */
  keyField?: string
}

/** The example a schema declares: `example`, the first of `examples`, `default`, `const`, the first `enum`. */
function declared(schema: Schema): {value: unknown} | undefined {
  if (schema.example !== undefined) return {value: schema.example}
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return {value: schema.examples[0]}
  if (schema.default !== undefined) return {value: schema.default}
  if (schema.const !== undefined) return {value: schema.const}
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return {value: schema.enum[0]}
  return undefined
}

function typeOf(schema: Schema): string | undefined {
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type
  return t ?? (schema.properties ? 'object' : schema.items ? 'array' : undefined)
}

/**
 * An example value for a schema: declared examples and defaults first; else one built from
 * the types, a request-id-like string `{{requestId}}`, a uuid `{{uuid}}`, and — when `wantKey`
 * — the first free-text string `{{key}}`. `oneOf`/`anyOf` take their first branch, `allOf`
 * merges; nesting stops at depth 6 (recursive schemas).
 */
export function schemaExample(schema: Schema | undefined, notes: ExampleNotes, wantKey: boolean, name = '', at = '$', depth = 0): unknown {
  if (!schema || depth > 6) return undefined
  const given = declared(schema)
  if (given) return given.value
  const branches = schema.oneOf ?? schema.anyOf
  if (branches && branches.length > 0) {
    notes.choices.push(`${at}: ${schema.oneOf ? 'oneOf' : 'anyOf'}, the first of ${branches.length} taken`)
    return schemaExample(branches[0], notes, wantKey, name, at, depth + 1)
  }
  if (schema.allOf) {
    const parts = schema.allOf.map((s) => schemaExample(s, notes, wantKey, name, at, depth + 1))
    return parts.every((p) => p !== null && typeof p === 'object' && !Array.isArray(p)) ? Object.assign({}, ...parts) : parts[0]
  }
  return byType(schema, notes, wantKey, name, at, depth)
}

function byType(schema: Schema, notes: ExampleNotes, wantKey: boolean, name: string, at: string, depth: number): unknown {
  const type = typeOf(schema)
  if (type === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, s] of Object.entries(schema.properties ?? {})) {
      const v = schemaExample(s, notes, wantKey, k, `${at}.${k}`, depth + 1)
      if (v !== undefined) out[k] = v
    }
    return out
  }
  if (type === 'array') {
    const item = schemaExample(schema.items, notes, wantKey, name, `${at}[0]`, depth + 1)
    return item === undefined ? [] : [item]
  }
  if (type === 'integer' || type === 'number') return schema.minimum !== undefined && schema.minimum > 1 ? schema.minimum : 1
  if (type === 'boolean') return false
  if (type !== 'string') return undefined
  if (isRequestIdName(name)) return '{{requestId}}'
  if (schema.format === 'uuid') return '{{uuid}}'
  if (schema.format === 'date-time') return new Date(0).toISOString()
  if (schema.format === 'date') return '1970-01-01'
  if (wantKey && notes.keyField === undefined && schema.format === undefined) {
    notes.keyField = at
    return '{{key}}'
  }
  return 'text'
}
