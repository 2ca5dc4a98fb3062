import {DEFAULT_PROFILES} from './profiles.js'
import type {Contract, ReadyCheck} from './types.js'

/**
 * Every default of the scenario format, in one place (schema/scenario.schema.json repeats
 * them as `default` for editors; a test keeps the two equal). Durations in ms.
 */
export const SCENARIO_DEFAULTS = {
  client: {
    timeout: 1000,
    attempts: 3,
    backoff: 50,
    backoffFactor: 2,
    retryOn: [408, 425, 429, 500, 502, 503, 504],
  },
  /** client.timeout when the scenario runs a client command: the whole command's deadline. */
  clientCommand: {timeout: 10_000},
  /** client.retryOn of grpc targets: gRPC status names. */
  grpcRetryOn: ['UNAVAILABLE'],
  trials: 10,
  settle: 50,
  concurrency: 8,
  profiles: DEFAULT_PROFILES,
  server: {ready: {kind: 'tcp'} as ReadyCheck, startupTimeout: 10_000, env: {}},
  endpoint: {expect: [] as Contract[], volatile: [] as string[], headers: {}},
  effect: {oracle: 'auto' as const, volatile: [] as string[]},
  jsonrpc: {retryErrorCodes: [] as number[]},
  tcp: {maxFrameBytes: 1024 * 1024},
} as const
