import {GRPC_STATUS_NAMES} from '../grpc/status.js'
import type {RawScenario} from './raw-scenario.js'
import {SCENARIO_DEFAULTS} from './scenario-defaults.js'
import type {Checker} from './scenario-checker.js'
import type {ClientPolicy, Target} from './types.js'

/** The built-in client's retry policy, with defaults; a gRPC target's retryOn lists status names. */
export function buildClient(check: Checker, raw: RawScenario['client'] = {}, protocol: Target['protocol'] = 'http'): ClientPolicy {
  const d = SCENARIO_DEFAULTS.client
  if (protocol === 'grpc') {
    ;(raw.retryOn ?? []).forEach((code, i) => {
      if (typeof code !== 'string' || !(GRPC_STATUS_NAMES as readonly string[]).includes(code)) {
        check.fail(['client', 'retryOn', i], `must be a gRPC status name such as UNAVAILABLE (got ${JSON.stringify(code)})`)
      }
    })
  }
  return {
    timeout: check.duration(['client', 'timeout'], raw.timeout, d.timeout),
    attempts: raw.attempts ?? d.attempts,
    backoff: check.duration(['client', 'backoff'], raw.backoff, d.backoff),
    backoffFactor: raw.backoffFactor ?? d.backoffFactor,
    retryOn: raw.retryOn ?? (protocol === 'grpc' ? [...SCENARIO_DEFAULTS.grpcRetryOn] : [...d.retryOn]),
  }
}
