import type {Stream, ToxicSpec} from '../proxy/l4/toxic.js'
import {apiErrors} from './api-error.js'
import {asObject} from './proxy-input.js'
import {MAX_TIMER_MS} from '../timer-limit.js'

/** What the control API needs to know of a toxic type: its numeric attributes. */
export interface ToxicTypeSpec {
  type: string
  attributes: Readonly<Record<string, 'integer' | 'number'>>
}

/**
 * The largest magnitude an attribute may have: the timer limit, since a bigger latency or
 * timeout would do the opposite of what was asked. Counts and sizes (bytes, rates, nth) share
 * the bound.
 */
const MAX_ATTRIBUTE = MAX_TIMER_MS

function attributeValue(name: string, kind: 'integer' | 'number', value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined
  const what = kind === 'integer' ? 'an integer' : 'a number'
  if (typeof value !== 'number' || !Number.isFinite(value) || (kind === 'integer' && !Number.isInteger(value)) || Math.abs(value) > MAX_ATTRIBUTE)
    throw apiErrors.badRequestBody(
      `attribute "${name}" must be ${what} from -${MAX_ATTRIBUTE} to ${MAX_ATTRIBUTE} (milliseconds for durations), got ${JSON.stringify(value)}`,
    )
  return value
}

function toxicity(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw apiErrors.badRequestBody('field "toxicity" must be a number')
  return value
}

/**
 * The toxic types one proxy protocol accepts, with Toxiproxy's validation order:
 * stream, then the default name `<type>_<stream>`, then the type, then (by the caller) the
 * name conflict, then the attributes.
 */
export class ToxicCatalog {
  private readonly types = new Map<string, ToxicTypeSpec>()

  constructor(types: Iterable<ToxicTypeSpec> = []) {
    for (const t of types) this.register(t)
  }

  register(type: ToxicTypeSpec): void {
    this.types.set(type.type, type)
  }

  has(type: string): boolean {
    return this.types.has(type)
  }

  get names(): string[] {
    return [...this.types.keys()]
  }

  /**
   * Validate a POST …/toxics body. `exists(name)` says whether the name is taken.
   * Missing attributes are 0; unknown attributes are dropped.
   */
  parseCreate(body: unknown, exists: (name: string) => boolean): ToxicSpec {
    const object = asObject(body)
    const rawStream = object.stream ?? 'downstream'
    if (typeof rawStream !== 'string') throw apiErrors.invalidStream()
    const stream = rawStream.toLowerCase()
    if (stream !== 'upstream' && stream !== 'downstream') throw apiErrors.invalidStream()
    const type = typeof object.type === 'string' ? object.type : ''
    if (object.name !== undefined && object.name !== null && typeof object.name !== 'string')
      throw apiErrors.badRequestBody('field "name" must be a string')
    const name = (object.name as string | undefined) || `${type}_${stream}`
    const spec = this.types.get(type)
    if (!spec) throw apiErrors.invalidToxicType()
    if (exists(name)) throw apiErrors.toxicExists()
    const attributes = this.mergeAttributes(spec, {}, object.attributes)
    return {name, type, stream: stream as Stream, toxicity: toxicity(object.toxicity, 1), attributes}
  }

  /** Validate a POST …/toxics/{t} body: only attributes (merged) and toxicity change. */
  parseUpdate(current: ToxicSpec, body: unknown): ToxicSpec {
    const object = asObject(body)
    const spec = this.types.get(current.type)
    if (!spec) throw apiErrors.invalidToxicType()
    return {
      ...current,
      attributes: this.mergeAttributes(spec, current.attributes, object.attributes),
      toxicity: toxicity(object.toxicity, current.toxicity),
    }
  }

  private mergeAttributes(
    spec: ToxicTypeSpec,
    current: Readonly<Record<string, number>>,
    raw: unknown,
  ): Record<string, number> {
    if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw)))
      throw apiErrors.badRequestBody('field "attributes" must be an object')
    const given = (raw ?? {}) as Record<string, unknown>
    const merged: Record<string, number> = {}
    for (const [name, kind] of Object.entries(spec.attributes)) {
      merged[name] = attributeValue(name, kind, given[name]) ?? current[name] ?? 0
    }
    return merged
  }
}
