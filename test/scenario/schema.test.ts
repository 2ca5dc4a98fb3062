import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {Ajv} from 'ajv'
import {describe, expect, it} from 'vitest'
import {DURATION_PATTERN, parseDuration} from '../../src/scenario/duration.js'
import {SCENARIO_DEFAULTS} from '../../src/scenario/load-scenario.js'
import {BUILTIN_PROFILES, FAULT_KINDS} from '../../src/scenario/profiles.js'
import {didYouMean, schemaUrl} from '../../src/scenario/validate.js'

type Schema = Record<string, unknown> & {
  properties?: Record<string, Schema>
  definitions?: Record<string, Schema>
}

const read = (name: string): Schema =>
  JSON.parse(readFileSync(fileURLToPath(schemaUrl(name)), 'utf8')) as Schema
const scenario = read('scenario.schema.json')
const profiles = read('profiles.schema.json')

/** Every schema node with `properties`, with a readable location. */
function objectSchemas(schema: Schema): Array<[string, Schema]> {
  const out: Array<[string, Schema]> = []
  const visit = (where: string, node: unknown): void => {
    if (node === null || typeof node !== 'object') return
    const s = node as Schema
    if (s.properties) out.push([where, s])
    for (const [key, value] of Object.entries(s)) {
      if (key === 'properties' || key === 'definitions') {
        for (const [name, child] of Object.entries(value as Record<string, unknown>))
          visit(`${where}/${key}/${name}`, child)
      } else if (typeof value === 'object') visit(`${where}/${key}`, value)
    }
  }
  visit('#', schema)
  return out
}

describe.each([
  ['scenario.schema.json', scenario],
  ['profiles.schema.json', profiles],
])('%s', (_name, schema) => {
  it('is a valid draft-07 schema', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
    const ajv = new Ajv({strict: false})
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true)
  })

  it('gives every property a title and a description', () => {
    for (const [where, node] of objectSchemas(schema)) {
      for (const [name, property] of Object.entries(node.properties ?? {})) {
        if (where.includes('/if') || where.startsWith('#/allOf/')) continue
        expect(typeof property.title, `${where}/${name} title`).toBe('string')
        expect(typeof property.description, `${where}/${name} description`).toBe('string')
      }
    }
  })

  it('closes every object against unknown fields', () => {
    expect(objectSchemas(schema).length).toBeGreaterThan(3)
    for (const [where, node] of objectSchemas(schema)) {
      // `then` branches narrow fields on target.protocol; each protocol's definitions are closed themselves.
      if (where.includes('/if') || where.includes('/then')) continue
      // target dispatches on protocol; each protocol's definition is closed itself.
      if (where === '#/definitions/target') continue
      // endpoints' requests are narrowed per protocol by these; the shapes they point to are closed.
      if (/^#\/definitions\/(http|jsonrpc|tcp)Requests\b/.test(where) || where.startsWith('#/allOf/')) continue
      expect(node.additionalProperties, where).toBe(false)
    }
  })

  it('uses the same duration pattern as the code', () => {
    expect((schema.definitions?.duration as Schema).pattern).toBe(DURATION_PATTERN.source)
  })
})

describe('scenario.schema.json', () => {
  const defs = scenario.definitions as Record<string, Schema>
  const props = (name: string) => (defs[name] as Schema).properties as Record<string, Schema>

  it('states the same defaults as the loader', () => {
    const client = props('client')
    expect({
      timeout: parseDuration(client.timeout?.default),
      attempts: client.attempts?.default,
      backoff: parseDuration(client.backoff?.default),
      backoffFactor: client.backoffFactor?.default,
      retryOn: client.retryOn?.default,
    }).toEqual(SCENARIO_DEFAULTS.client)
    const top = scenario.properties as Record<string, Schema>
    expect(top.trials?.default).toBe(SCENARIO_DEFAULTS.trials)
    expect(parseDuration(top.settle?.default)).toBe(SCENARIO_DEFAULTS.settle)
    expect(top.concurrency?.default).toBe(SCENARIO_DEFAULTS.concurrency)
    expect(top.profiles?.default).toEqual(SCENARIO_DEFAULTS.profiles)
    expect(parseDuration(props('server').startupTimeout?.default)).toBe(
      SCENARIO_DEFAULTS.server.startupTimeout,
    )
    expect(props('server').ready?.default).toEqual({tcp: true})
    expect(props('endpoint').expect?.default).toBe('none')
    expect(SCENARIO_DEFAULTS.endpoint.expect).toEqual([])
    expect(props('effect').oracle?.default).toBe(SCENARIO_DEFAULTS.effect.oracle)
  })

  it('offers the built-in profile names for completion', () => {
    expect((defs.profileName as Schema).examples).toEqual(BUILTIN_PROFILES.map((p) => p.name))
  })

  it('requires version, target and endpoints', () => {
    expect(scenario.required).toEqual(['version', 'target', 'endpoints'])
  })
})

describe('profiles.schema.json', () => {
  it('lists exactly the fault types and modes the registry knows', () => {
    const defs = profiles.definitions as Record<string, Schema>
    const fault = (defs.fault as Schema).properties as Record<string, Schema>
    expect(fault.type?.enum).toEqual(Object.keys(FAULT_KINDS))
    const modes = [...new Set(Object.values(FAULT_KINDS).flatMap((k) => k.modes ?? []))]
    expect([...((defs.mode as Schema).enum as string[])].sort()).toEqual(modes.sort())
    const phases = [...new Set(Object.values(FAULT_KINDS).flatMap((k) => k.phases ?? []))]
    expect([...(fault.phase?.enum as string[])].sort()).toEqual(phases.sort())
  })
})

describe('didYouMean', () => {
  it('suggests near misses only', () => {
    expect(didYouMean('atempts', ['timeout', 'attempts'])).toBe('attempts')
    expect(didYouMean('Timeout', ['timeout', 'attempts'])).toBe('timeout')
    expect(
      didYouMean('retries', ['timeout', 'attempts', 'backoff', 'backoffFactor', 'retryOn']),
    ).toBeUndefined()
    expect(didYouMean('x', [])).toBeUndefined()
  })
})
