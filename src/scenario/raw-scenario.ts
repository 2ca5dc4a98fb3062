import type {EffectProbe, Expectation, ProbeConversion, Protocol, RecordedReply} from './types.js'

/** The scenario as the schema guarantees it, before defaults and semantic checks. */
export interface RawRequest {
  method: string
  path: string
  headers?: Record<string, string | number | boolean>
  body?: unknown
}
export interface RawJsonRpcCall {
  method: string
  params?: unknown
  notification?: boolean
}
export interface RawGrpcRequest {
  method: string
  message?: Record<string, unknown>
  metadata?: Record<string, string | number | boolean>
}
export type RawEndpointRequest =
  | RawRequest
  | (RawJsonRpcCall & {batch?: RawJsonRpcCall[]; headers?: RawRequest['headers']})
  | {frame: Record<string, unknown>}
  | RawGrpcRequest
export interface RawScenario {
  version: 1
  target: {
    protocol: Protocol
    /** Required unless `replicas` (http) gives the servers. */
    url: string
    /** jsonrpc: a place ({param} or {header}); tcp: a JSONPath into request frames. */
    requestId?: string | {param: string} | {header: string}
    retryErrorCodes?: number[]
    framing?: {type: 'ndjson' | 'length-prefixed'; headerBytes?: 1 | 2 | 4; byteOrder?: 'big' | 'little'; maxFrameBytes?: number}
    replyId?: string
    errorField?: string
    proto?: string
    server?: {
      setup?: string
      command: string
      cwd?: string
      env?: Record<string, string | number | boolean>
      ready?: {http?: string; tcp?: true; log?: string}
      startupTimeout?: number | string
    }
    replicas?: Array<{name: string; role: 'primary' | 'backup'; url: string; server: NonNullable<RawScenario['target']['server']>}>
  }
  client?: {
    timeout?: number | string
    attempts?: number
    backoff?: number | string
    backoffFactor?: number
    retryOn?: Array<number | string>
    failoverOn?: Array<number | string>
    command?: string
    env?: Record<string, string | number | boolean>
    cwd?: string
  }
  endpoints: Array<{
    name: string
    request?: RawEndpointRequest
    match?: {method?: string; path?: string; fields?: Record<string, string | number | boolean | null>}
    effect?: {request: RawEndpointRequest; select: string; oracle?: EffectProbe['oracle']; volatile?: string[]; as?: ProbeConversion; replica?: EffectProbe['replica']}
    expect?: Expectation | Expectation[]
    volatile?: string[]
    recorded?: RecordedReply
    profiles?: string[]
    trials?: number
    idempotencyKey?: {header?: string; required?: boolean; errorBody?: unknown; otherBody?: unknown}
  }>
  profiles?: string[]
  profileFiles?: string[]
  trials?: number
  settle?: number | string
  concurrency?: number
  seed?: number
  toxiproxy?: {url: string; proxies?: Array<{name: string; listen: string; upstream: string; enabled?: boolean}>}
}
