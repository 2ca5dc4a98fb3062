import type {ProtoCatalog} from '../grpc/proto.js'
import {buildIdempotencyKeyCheck, splitProfileSets} from './idempotency-key-settings.js'
import {checkProfileNames} from './profile-selection.js'
import type {RawScenario} from './raw-scenario.js'
import {buildEndpointMatch} from './endpoint-match.js'
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
  commandMode = false,
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
    const names = e.profiles ? checkProfileNames(check, [...at, 'profiles'], e.profiles, catalog, raw.target.protocol) : profiles
    const {faultProfiles, sets} = splitProfileSets(names)
    const endpoint: Endpoint = {
      name: e.name,
      expect: expectations(check, [...at, 'expect'], e.expect),
      volatileReplyFields: (e.volatile ?? []).map((p, j) => check.jsonPath([...at, 'volatile', j], p)),
      profiles: faultProfiles,
      trials: e.trials ?? trials,
      positions: {request: check.source.position([...at, commandMode ? 'match' : 'request'])},
    }
    if (commandMode) endpoint.match = operationMatch(check, raw, at, e, proto)
    else endpoint.request = builtInRequest(check, raw, at, e, proto)
    const idempotencyKey = buildIdempotencyKeyCheck(check, at, e, endpoint.request, sets.includes('idempotency-key'), raw.target.protocol)
    if (idempotencyKey) endpoint.idempotencyKey = idempotencyKey
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
      if (e.effect.replica !== undefined) {
        if (!raw.target.replicas) check.fail([...eat, 'replica'], 'names a replica, but the target has none; remove replica, or give target.replicas', {key: true})
        endpoint.effect.replica = e.effect.replica
      }
      endpoint.positions = {request: endpoint.positions?.request ?? check.source.position(at), select: check.source.position([...eat, 'select'])}
    }
    return endpoint
  })
}

type RawEndpoint = RawScenario['endpoints'][number]

/** The built-in client's request; `match` belongs to client.command scenarios. */
function builtInRequest(check: Checker, raw: RawScenario, at: PathSegment[], e: RawEndpoint, proto: ProtoCatalog | undefined) {
  if (e.match !== undefined) check.fail([...at, 'match'], 'says which of a client command\'s requests are this endpoint\'s, but the scenario has no client.command; add client.command, or remove match', {key: true})
  if (e.request === undefined) check.fail(at, 'missing required field "request" (the request an operation sends), or run your own client with client.command and match')
  return buildRequest(check, raw.target.protocol, [...at, 'request'], e.request, proto, REQUEST_TEMPLATES, 'endpoint requests')
}

/** client.command scenarios: the client makes the calls, `match` picks out this endpoint's. */
function operationMatch(check: Checker, raw: RawScenario, at: PathSegment[], e: RawEndpoint, proto: ProtoCatalog | undefined) {
  if (e.request !== undefined) {
    check.fail([...at, 'request'], 'client.command runs your own client, which sends the requests; remove request and say which of its requests are this endpoint\'s with match', {key: true})
  }
  if (e.match === undefined) {
    check.fail(at, `missing required field "match" (which of the client command's requests are this endpoint's), e.g. ${raw.target.protocol === 'http' ? 'match: { method: POST, path: /orders/{id} }' : 'match: { method: NAME }'}`)
  }
  return buildEndpointMatch(check, raw.target.protocol, [...at, 'match'], e.match, proto)
}
