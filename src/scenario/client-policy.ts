import {GRPC_STATUS_NAMES} from '../grpc/status.js'
import type {RawScenario} from './raw-scenario.js'
import {SCENARIO_DEFAULTS} from './scenario-defaults.js'
import type {Checker} from './scenario-checker.js'
import type {ClientPolicy, Target} from './types.js'

/** The built-in client's retry policy, with defaults; a gRPC target's retryOn lists status names. */
export function buildClient(check: Checker, raw: RawScenario['client'] = {}, target: Pick<Target, 'protocol' | 'replicas' | 'tcp'> = {protocol: 'http'}): ClientPolicy {
  const d = SCENARIO_DEFAULTS.client
  const {protocol} = target
  if (protocol === 'grpc') {
    for (const field of ['retryOn', 'failoverOn'] as const) {
      ;(raw[field] ?? []).forEach((code, i) => {
        if (typeof code !== 'string' || !(GRPC_STATUS_NAMES as readonly string[]).includes(code)) {
          check.fail(['client', field, i], `must be a gRPC status name such as UNAVAILABLE (got ${JSON.stringify(code)})`)
        }
      })
    }
  }
  const policy: ClientPolicy = {
    timeout: check.duration(['client', 'timeout'], raw.timeout, d.timeout),
    attempts: raw.attempts ?? d.attempts,
    backoff: check.duration(['client', 'backoff'], raw.backoff, d.backoff),
    backoffFactor: raw.backoffFactor ?? d.backoffFactor,
    retryOn: raw.retryOn ?? (protocol === 'grpc' ? [...SCENARIO_DEFAULTS.grpcRetryOn] : [...d.retryOn]),
  }
  if (raw.failoverOn !== undefined) {
    if (raw.command !== undefined) check.fail(['client', 'failoverOn'], "configures faultline's built-in failover client, but client.command runs your own client; remove failoverOn", {key: true})
    policy.failoverOn = buildFailoverOn(check, raw.failoverOn, target)
  }
  return policy
}

/** client.failoverOn: the replies that move an operation to the next replica, in the protocol's own status words. */
function buildFailoverOn(check: Checker, list: Array<number | string>, target: Pick<Target, 'protocol' | 'replicas' | 'tcp'>): Array<number | string> {
  const at = ['client', 'failoverOn']
  if (!target.replicas) check.fail(at, 'fails over between replicas, and this target has none; list them under target.replicas, or remove client.failoverOn', {key: true})
  if (target.protocol === 'tcp' && target.tcp?.errorField === undefined) {
    check.fail(at, 'lists error values, and this tcp target reads none; add target.errorField (e.g. $.error.code), or remove client.failoverOn', {key: true})
  }
  // The schema narrows the items per protocol: HTTP statuses, JSON-RPC codes (whole numbers), gRPC names, tcp error values.
  return [...list]
}
