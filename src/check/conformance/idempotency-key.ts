import {isDeepStrictEqual} from 'node:util'
import {removePaths} from '../../jsonpath.js'
import {IDEMPOTENCY_KEY_SET} from '../../scenario/profile-sets.js'
import type {Endpoint, IdempotencyKeyCheck} from '../../scenario/types.js'
import type {RenderedRequest} from '../http-request.js'
import type {TrialEnvironment} from '../trial-runner.js'
import {otherPayload} from './other-payload.js'
import {nextEvent, RuleClient, type SentRequest} from './rule-client.js'
import type {ConformanceRuleResult, RuleOutcome} from './rule-result.js'

const DRAFT = 'draft-ietf-httpapi-idempotency-key-header-06'
const REFERENCES: Record<string, string> = {
  replay: `${DRAFT} §2.6 (Idempotency Enforcement)`,
  'replay-error': `${DRAFT} §2.6 (Idempotency Enforcement)`,
  'in-flight': `${DRAFT} §2.7 (Error Scenarios): 409 Conflict`,
  'payload-mismatch': `${DRAFT} §2.7 (Error Scenarios): 422 Unprocessable Content`,
  'missing-key': `${DRAFT} §2.7 (Error Scenarios): 400 Bad Request`,
}
/** Tries at catching a request while its twin is still executing before calling the rule inconclusive. */
const IN_FLIGHT_TRIES = 5

interface RuleVerdict {
  outcome: RuleOutcome
  detail: string
  sent: SentRequest[]
}

/**
 * Check an HTTP endpoint against the Idempotency-Key draft, one rule after the other, each
 * with fresh keys so no rule sees another's state. Every request goes through the proxy
 * (no faults), so each rule keeps the proxy's events as evidence.
 */
export async function checkIdempotencyKey(env: TrialEnvironment, endpoint: Endpoint, index: number): Promise<ConformanceRuleResult[]> {
  const settings = endpoint.idempotencyKey as IdempotencyKeyCheck
  const results: ConformanceRuleResult[] = []
  for (const {name, requirement} of IDEMPOTENCY_KEY_SET.rules) {
    const client = new RuleClient(env, `t${index}.ik-${name}`)
    const verdict = await RULES[name]!(client, endpoint, settings, env)
    results.push({
      set: IDEMPOTENCY_KEY_SET.name,
      rule: name,
      requirement,
      reference: REFERENCES[name] ?? DRAFT,
      outcome: verdict.outcome,
      detail: verdict.detail,
      exchanges: verdict.sent.map((s) => s.exchange),
      timeline: await client.take(verdict.sent.map((s) => s.marker)),
    })
  }
  return results
}

type Rule = (client: RuleClient, endpoint: Endpoint, settings: IdempotencyKeyCheck, env: TrialEnvironment) => Promise<RuleVerdict>

const RULES: Record<string, Rule> = {
  replay: async (client, endpoint) => {
    const {render} = client.values('replay')
    const request = render(endpoint.request) as RenderedRequest
    return repeatRule(client, endpoint, request, {mustFail: false})
  },
  'replay-error': async (client, endpoint, settings) => {
    if (settings.errorBody === undefined) {
      return {outcome: 'not-checked', detail: 'give idempotencyKey.errorBody: a body whose execution fails (e.g. a payment the server declines)', sent: []}
    }
    const {render} = client.values('replay-error')
    const request = {...(render(endpoint.request) as RenderedRequest), body: render(settings.errorBody)}
    return repeatRule(client, endpoint, request, {mustFail: true})
  },
  'in-flight': async (client, endpoint, _settings, env) => inFlightRule(client, endpoint, env),
  'payload-mismatch': async (client, endpoint, settings) => {
    const {render} = client.values('payload')
    const request = render(endpoint.request) as RenderedRequest
    const other = settings.otherBody === undefined ? otherPayload(request.body) : render(settings.otherBody)
    if (other === undefined || isDeepStrictEqual(other, request.body)) {
      return {outcome: 'not-checked', detail: 'the request body has no scalar to change; give idempotencyKey.otherBody', sent: []}
    }
    const first = await client.send(request, 'first')
    if (!succeeded(first)) return {outcome: 'inconclusive', detail: `the first request did not succeed (${first.exchange.status}), so the key holds no payload to compare with`, sent: [first]}
    const changed = await client.send({...request, body: other}, 'same key, other payload')
    const status = changed.exchange.status
    if (status === 422) return {outcome: 'conforms', detail: 'the same key with another payload got 422', sent: [first, changed]}
    return {outcome: 'violates', detail: `the same key with another payload got ${status}, not 422${sameReply(first, changed, endpoint) ? ' (the first reply, replayed for a different request)' : ''}`, sent: [first, changed]}
  },
  'missing-key': async (client, endpoint, settings) => {
    if (!settings.required) return {outcome: 'not-checked', detail: 'idempotencyKey.required is false: the endpoint accepts requests without a key', sent: []}
    const {render} = client.values('missing')
    const request = render(endpoint.request) as RenderedRequest
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([h]) => h.toLowerCase() !== settings.header.toLowerCase()))
    const sent = await client.send({...request, headers}, `no ${settings.header}`)
    if (sent.exchange.status === 400) return {outcome: 'conforms', detail: `a request without ${settings.header} got 400`, sent: [sent]}
    return {outcome: 'violates', detail: `a request without ${settings.header} got ${sent.exchange.status}, not 400`, sent: [sent]}
  },
}

/** Send a request, then the same request again once it was answered: the repeat must get the same reply. */
async function repeatRule(client: RuleClient, endpoint: Endpoint, request: RenderedRequest, {mustFail}: {mustFail: boolean}): Promise<RuleVerdict> {
  const what = mustFail ? 'the failed' : 'the first'
  const first = await client.send(request, 'first')
  if (!first.reply) return {outcome: 'inconclusive', detail: `the first request got no reply (${first.exchange.status})`, sent: [first]}
  if (mustFail && succeeded(first)) {
    return {outcome: 'inconclusive', detail: `idempotencyKey.errorBody did not fail (${first.exchange.status}); give a body whose execution fails`, sent: [first]}
  }
  const repeat = await client.send(request, 'repeat, same key')
  if (!repeat.reply) return {outcome: 'inconclusive', detail: `the repeat got no reply (${repeat.exchange.status})`, sent: [first, repeat]}
  if (sameReply(first, repeat, endpoint)) return {outcome: 'conforms', detail: `the repeat got ${what} reply again (${first.exchange.status})`, sent: [first, repeat]}
  const how = repeat.exchange.status === first.exchange.status ? `${repeat.exchange.status} with another body` : String(repeat.exchange.status)
  return {outcome: 'violates', detail: `the repeat got ${how} instead of ${what} reply (${first.exchange.status}): it executed again`, sent: [first, repeat]}
}

/**
 * Send a request and, as soon as the proxy has delivered it to the server, its twin with the
 * same key. The rule applies only when the twin reached the server before the first one's
 * reply left it (the proxy's events say so); a fast server may need several tries.
 */
async function inFlightRule(client: RuleClient, endpoint: Endpoint, env: TrialEnvironment): Promise<RuleVerdict> {
  const sent: SentRequest[] = []
  for (let attempt = 1; attempt <= IN_FLIGHT_TRIES; attempt++) {
    const {render} = client.values(`in-flight-${attempt}`)
    const request = render(endpoint.request) as RenderedRequest
    const firstMarker = client.nextMarker()
    const firstDone = client.send(request, 'first', firstMarker)
    const delivered = await nextEvent(env.events, (e) => e.trial === firstMarker && e.type === 'delivery', firstDone)
    const twin = await client.send(request, 'twin while the first executes')
    const first = await firstDone
    sent.push(first, twin)
    if (!delivered) continue
    const overlapped = await twinArrivedInFlight(client, first.marker, twin.marker)
    if (!overlapped) continue
    if (twin.exchange.status === 409) return {outcome: 'conforms', detail: `the twin reached the server while the first executed and got 409 (try ${attempt})`, sent}
    const waited = sameReply(first, twin, endpoint) ? ' (it waited and got the first reply)' : ''
    return {outcome: 'violates', detail: `the twin reached the server while the first executed and got ${twin.exchange.status}, not 409${waited}`, sent}
  }
  return {
    outcome: 'inconclusive',
    detail: `in ${IN_FLIGHT_TRIES} tries the server answered each first request before its twin arrived; the rule needs a request that takes longer`,
    sent,
  }
}

/** The twin's delivery came before the first request's reply from the server. */
async function twinArrivedInFlight(client: RuleClient, first: string, twin: string): Promise<boolean> {
  const events = await client.take([first, twin])
  const firstReply = events.find((e) => e.trial === first && e.type === 'reply')
  const twinDelivery = events.find((e) => e.trial === twin && e.type === 'delivery')
  return firstReply !== undefined && twinDelivery !== undefined && twinDelivery.time < firstReply.time
}

function succeeded(sent: SentRequest): boolean {
  return typeof sent.exchange.status === 'number' && sent.exchange.status >= 200 && sent.exchange.status < 300
}

/** Same status and body, declared volatile reply fields aside. */
function sameReply(a: SentRequest, b: SentRequest, endpoint: Endpoint): boolean {
  if (!a.reply || !b.reply || a.reply.status !== b.reply.status) return false
  const strip = (body: unknown) => (endpoint.volatileReplyFields.length > 0 ? removePaths(body, endpoint.volatileReplyFields) : body)
  return isDeepStrictEqual(strip(a.reply.body), strip(b.reply.body))
}

