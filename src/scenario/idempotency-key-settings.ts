import {PROFILE_SETS} from './profile-sets.js'
import type {RawScenario} from './raw-scenario.js'
import type {Checker} from './scenario-checker.js'
import type {PathSegment} from './source.js'
import {REQUEST_TEMPLATES} from './template-scopes.js'
import type {EndpointRequest, IdempotencyKeyCheck, Target} from './types.js'

type RawEndpoint = RawScenario['endpoints'][number]

/** The profile names that are profile sets, and the fault profiles left over. */
export function splitProfileSets(names: readonly string[]): {faultProfiles: string[]; sets: string[]} {
  return {faultProfiles: names.filter((n) => !PROFILE_SETS.has(n)), sets: names.filter((n) => PROFILE_SETS.has(n))}
}

/**
 * The endpoint's `idempotency-key` settings when the set is selected: an HTTP target, and a
 * request that carries the key header. `idempotencyKey:` without the set selected is refused,
 * since it would silently do nothing.
 */
export function buildIdempotencyKeyCheck(
  check: Checker,
  at: PathSegment[],
  raw: RawEndpoint,
  request: EndpointRequest | undefined,
  selected: boolean,
  protocol: Target['protocol'],
): IdempotencyKeyCheck | undefined {
  const settings = raw.idempotencyKey
  if (!selected) {
    if (settings) check.fail([...at, 'idempotencyKey'], 'has no effect unless the endpoint runs the idempotency-key profile set; add idempotency-key to its profiles', {key: true})
    return undefined
  }
  const where: PathSegment[] = raw.profiles ? [...at, 'profiles', raw.profiles.indexOf('idempotency-key')] : ['profiles']
  if (protocol !== 'http') check.fail(where, `idempotency-key checks the HTTP Idempotency-Key header; this target is ${protocol}`)
  if (!request) check.fail(where, 'idempotency-key sends requests of its own, built from endpoints[].request; an endpoint run by client.command has none: check it in a scenario with a request')
  const header = settings?.header ?? 'Idempotency-Key'
  const headers = (request as {headers?: Record<string, string>}).headers ?? {}
  if (!Object.keys(headers).some((h) => h.toLowerCase() === header.toLowerCase())) {
    check.fail([...at, 'request'], `the idempotency-key profile set needs the request to send the key: add headers: { ${header}: "{{requestId}}" }${settings?.header ? '' : ' (or name another header in idempotencyKey.header)'}`)
  }
  if (settings?.errorBody !== undefined) check.templates([...at, 'idempotencyKey', 'errorBody'], settings.errorBody, REQUEST_TEMPLATES, 'endpoint requests')
  if (settings?.otherBody !== undefined) check.templates([...at, 'idempotencyKey', 'otherBody'], settings.otherBody, REQUEST_TEMPLATES, 'endpoint requests')
  return {header, required: settings?.required ?? true, errorBody: settings?.errorBody, otherBody: settings?.otherBody}
}
