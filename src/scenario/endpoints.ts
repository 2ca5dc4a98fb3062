import type {ProtoCatalog} from '../grpc/proto.js'
import {checkProfileNames} from './profile-selection.js'
import type {RawScenario} from './raw-scenario.js'
import {buildRequest} from './request-templates.js'
import {SCENARIO_DEFAULTS} from './scenario-defaults.js'
import type {Checker} from './scenario-checker.js'
import type {PathSegment} from './source.js'
import {EFFECT_TEMPLATES, REQUEST_TEMPLATES} from './template-scopes.js'
import type {Contract, Endpoint, Expectation, Profile} from './types.js'

/** `expect: exactly-once` or `expect: [exactly-once, reply-consistent]`; `none` means no contract. */
function expectations(check: Checker, at: PathSegment[], raw: Expectation | Expectation[] | undefined): Contract[] {
  if (raw === undefined) return [...SCENARIO_DEFAULTS.endpoint.expect]
  const list = Array.isArray(raw) ? raw : [raw]
  if (list.includes('none')) {
    if (list.length > 1) check.fail([...at, list.indexOf('none')], 'none cannot be combined with contracts; list only the contracts the endpoint must provide')
    return []
  }
  return list as Contract[]
}

/** Each endpoint with its request, effect probe, contracts, profiles and trial count; names are unique. */
export function buildEndpoints(
  check: Checker,
  raw: RawScenario,
  catalog: Map<string, Profile>,
  profiles: string[],
  trials: number,
  proto: ProtoCatalog | undefined,
): Endpoint[] {
  const firstUse = new Map<string, number>()
  return raw.endpoints.map((e, i) => {
    const at: PathSegment[] = ['endpoints', i]
    const previous = firstUse.get(e.name)
    if (previous !== undefined) {
      const where = check.source.position(['endpoints', previous, 'name'])
      check.fail([...at, 'name'], `duplicate endpoint name "${e.name}" (first used at line ${where.line})`)
    }
    firstUse.set(e.name, i)
    const endpoint: Endpoint = {
      name: e.name,
      request: buildRequest(check, raw.target.protocol, [...at, 'request'], e.request, proto, REQUEST_TEMPLATES, 'endpoint requests'),
      expect: expectations(check, [...at, 'expect'], e.expect),
      volatileReplyFields: (e.volatile ?? []).map((p, j) => check.jsonPath([...at, 'volatile', j], p)),
      profiles: e.profiles
        ? checkProfileNames(check, [...at, 'profiles'], e.profiles, catalog, raw.target.protocol)
        : [...profiles],
      trials: e.trials ?? trials,
      positions: {request: check.source.position([...at, 'request'])},
    }
    if (e.recorded) endpoint.recordedReply = e.recorded
    if (e.effect) {
      const eat = [...at, 'effect']
      endpoint.effect = {
        request: buildRequest(check, raw.target.protocol, [...eat, 'request'], e.effect.request, proto, EFFECT_TEMPLATES, 'effect probes'),
        select: check.jsonPath([...eat, 'select'], e.effect.select),
        oracle: e.effect.oracle ?? SCENARIO_DEFAULTS.effect.oracle,
        volatile: (e.effect.volatile ?? []).map((p, j) => check.jsonPath([...eat, 'volatile', j], p)),
      }
      if (e.effect.as !== undefined) {
        if (e.effect.oracle === 'state') {
          check.fail([...eat, 'as'], 'makes a count of the selection, but oracle: state compares it whole; remove as, or write oracle: count', {key: true})
        }
        endpoint.effect.as = e.effect.as
      }
      endpoint.positions = {request: check.source.position([...at, 'request']), select: check.source.position([...eat, 'select'])}
    }
    return endpoint
  })
}
