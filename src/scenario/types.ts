/**
 * The typed, validated form of a scenario file. Everything downstream trusts these
 * values: durations are milliseconds, defaults are filled in, templates are still raw
 * strings (rendered per trial by src/scenario/template.ts).
 */

import type {SourcePosition} from '../errors.js'
import type {FaultSpec, FaultSpecType} from '../fault-spec.js'

/** A delivery contract an endpoint can be expected to provide. */
export type Contract = 'at-least-once' | 'at-most-once' | 'exactly-once' | 'idempotent' | 'reply-consistent'

/** What a scenario may write as `expect`: a contract, or `none`. */
export type Expectation = Contract | 'none'

export type Protocol = 'http' | 'jsonrpc' | 'tcp' | 'grpc'

/** How faultline knows the server is up. */
export type ReadyCheck = {kind: 'http'; path: string} | {kind: 'tcp'} | {kind: 'log'; pattern: string}

export interface ServerBlock {
  /**
   * Shell command line run once per run, before the first start (never on a crash restart):
   * seeds the server's data. Same templates and working directory as `command`.
   */
  setup?: string
  /** Shell command line; may contain templates like {{port}} and {{env.NAME}}. */
  command: string
  cwd?: string
  env: Record<string, string>
  ready: ReadyCheck
  /** Startup (and restart) timeout, ms. */
  startupTimeout: number
}

export interface Target {
  protocol: Protocol
  /** Base URL of the server under test, e.g. http://127.0.0.1:4100 (may hold {{port}}). */
  url: string
  server?: ServerBlock
  /** grpc: absolute path of the .proto file that defines the services under test. */
  proto?: string
  /** protocol jsonrpc only. */
  jsonrpc?: JsonRpcTarget
  /** protocol tcp only. */
  tcp?: TcpTarget
  /**
   * Replicated servers: each behind its own proxy, the client failing over from
   * one to the next. `url` and `server` are then the primary's.
   */
  replicas?: Replica[]
}

/** One server of a replicated target. */
export interface Replica {
  name: string
  role: 'primary' | 'backup'
  /** May hold {{port}}: a free port chosen for this replica. */
  url: string
  server: ServerBlock
}

export interface JsonRpcTarget {
  /** Where an operation's stable request id sits: a JSONPath into params, or an HTTP header. */
  requestId?: {param: string} | {header: string}
  /** JSON-RPC error codes the built-in client retries; other error responses are final (`failed`). */
  retryErrorCodes: number[]
}

export type TcpFraming =
  | {type: 'ndjson'; maxFrameBytes: number}
  | {type: 'length-prefixed'; headerBytes: 1 | 2 | 4; byteOrder: 'big' | 'little'; maxFrameBytes: number}

export interface TcpTarget {
  framing: TcpFraming
  /** JSONPath of the id pairing replies with requests; undefined: replies come in order. */
  replyId?: string
  /** JSONPath of the operation's stable request id in request frames. */
  requestId?: string
  /** JSONPath in reply frames; a non-null value there makes the reply `failed`. */
  errorField?: string
}

export interface ClientPolicy {
  /** Per-attempt timeout, ms. */
  timeout: number
  /** Attempts including the first. */
  attempts: number
  /** Delay before the first retry, ms; multiplied by `backoffFactor` each further retry. */
  backoff: number
  backoffFactor: number
  /**
   * Statuses that are retried (besides timeouts and connection errors): HTTP status numbers,
   * or gRPC status code names such as UNAVAILABLE for grpc targets.
   */
  retryOn: Array<number | string>
  /**
   * Replicated targets: reply statuses that send the next attempt to the next replica (and are
   * retried): HTTP statuses (http), JSON-RPC error codes (jsonrpc), gRPC status names (grpc),
   * values of target.errorField (tcp).
   * Undefined: every reply the client retries fails over. Timeouts and connection errors always do.
   */
  failoverOn?: Array<number | string>
}

/** One HTTP request as written in the scenario; strings may hold templates. */
export interface RequestTemplate {
  method: string
  path: string
  headers: Record<string, string>
  /** JSON body (object/array/scalar) or undefined for none. Strings inside may hold templates. */
  body?: unknown
}

/** One JSON-RPC call as written in the scenario; strings may hold templates. */
export interface JsonRpcCallTemplate {
  method: string
  params?: unknown
  /** Sent without an id: no response is expected. */
  notification: boolean
}

/** A JSON-RPC request: one call, or a batch whose first call is the call under test. */
export interface JsonRpcRequestTemplate {
  kind: 'jsonrpc'
  calls: JsonRpcCallTemplate[]
  batch: boolean
  headers: Record<string, string>
}

/** A framed TCP request: one JSON object frame. */
export interface TcpRequestTemplate {
  kind: 'tcp'
  frame: Record<string, unknown>
}


/** One unary gRPC call as written in the scenario; strings may hold templates. */
export interface GrpcRequestTemplate {
  /** `package.Service/Method`, as the .proto names it. */
  method: string
  /** The request message as JSON (proto field names as written); encoded with the .proto. */
  message: Record<string, unknown>
  /** Call metadata: key (lower case) → value. */
  metadata: Record<string, string>
}


/** An endpoint's request in its protocol's terms. */
export type EndpointRequest = RequestTemplate | JsonRpcRequestTemplate | TcpRequestTemplate | GrpcRequestTemplate

export interface EffectProbe {
  request: EndpointRequest
  /** JSONPath into the probe's JSON reply. */
  select: string
  /**
   * `count`: the selected value is a number that grows by the same amount with each execution.
   * `state`: the selected JSON is compared as a whole (state snapshot oracle).
   * `auto`: count when the baseline selects a number, state otherwise.
   */
  oracle: 'auto' | 'count' | 'state'
  /** JSONPaths removed from the selected state before comparing (timestamps, versions). */
  volatile: string[]
  /** How the count oracle reads the selected value; undefined: it must be a JSON number. */
  as?: ProbeConversion
  /**
   * target.replicas: the replica the probe reads (the first backup for `backup`); `any` and
   * `all` read every replica and combine the readings (docs/replicas.md); undefined: the primary.
   */
  replica?: 'primary' | 'backup' | 'any' | 'all'
}

/**
 * `number`: a JSON number, a decimal string or a `0x` hex string, counted exactly (also
 * beyond 2^53). `length`: the number of elements, keys or characters.
 */
export type ProbeConversion = 'number' | 'length'

/**
 * Which of a client command's traffic is an endpoint's operation, as a proxy rule matches it:
 * http: method and a path glob (`{name}` segments become `*`); jsonrpc: `rpcMethod`; grpc: the
 * call's path `/package.Service/Method`; tcp: `fields` of the request frame.
 */
export interface EndpointMatch {
  method?: string
  path?: string
  rpcMethod?: string
  fields?: Record<string, string | number | boolean | null>
}

/** The user's own client (`client.command`): run once per trial against that trial's proxy. */
export interface ClientCommand {
  /** Shell command line (run by /bin/sh -c in its own process group); may hold templates such as {{proxyUrl}} and {{key}}. */
  command: string
  /** Extra environment variables (values may hold the same templates). */
  env: Record<string, string>
  /** Working directory (absolute); undefined: the directory faultline runs in, as for target.server. */
  cwd?: string
  /** The whole command's deadline, ms: at it the command's process group is killed. */
  timeout: number
}

/** A reply as a recording saw it; strings may hold templates standing for the trial's values. */
export interface RecordedReply {
  status: number
  /** JSON body; undefined when the reply had none. */
  body?: unknown
}

export interface Endpoint {
  name: string
  /** The built-in client's request; absent when the scenario runs a client command. */
  request?: EndpointRequest
  /** client.command scenarios: which of the client's traffic is this endpoint's operation. */
  match?: EndpointMatch
  effect?: EffectProbe
  /** Every contract the endpoint must provide; empty when the scenario expects nothing. */
  expect: Contract[]
  /** JSONPaths removed from replies before comparing them (ids that may differ, dates). */
  volatileReplyFields: string[]
  /** The reply a recording saw for one clean execution; replies are compared with it. */
  recordedReply?: RecordedReply
  /** Profiles for this endpoint; defaults to the scenario's. */
  profiles: string[]
  trials: number
  /** Set when the `idempotency-key` profile set is selected: how to run its rules. */
  idempotencyKey?: IdempotencyKeyCheck
  /** Where the endpoint's parts are written, so run-time problems can point at them. */
  positions?: {request: SourcePosition; select?: SourcePosition}
}

/** How the `idempotency-key` rules shape their requests from the endpoint's own request. */
export interface IdempotencyKeyCheck {
  /** The request header that carries the key (the endpoint's request sets it). */
  header: string
  /** The endpoint requires the key: a request without it must get 400. */
  required: boolean
  /** A body whose execution fails (e.g. a payment the server declines), for the replay-error rule. */
  errorBody?: unknown
  /** Another payload for the payload-mismatch rule; by default the first scalar of the body, changed. */
  otherBody?: unknown
}

/** A fault type as a profile names it (src/fault-spec.ts). */
export type FaultType = FaultSpecType
export type {DurationSpec} from '../fault-spec.js'

/** Which requests a fault may hit, for the standalone proxy (check targets its own trials). */
export interface RequestMatch {
  method?: string
  /** Glob over the path without query: `*` within a segment, `**` across segments. */
  path?: string
  /** Header name (any case) → exact value or glob. */
  headers?: Record<string, string>
}

/** A fault as a profile states it (durations may be ranges the seeded source picks from), and which attempts it hits. */
export interface ProfileFault extends FaultSpec {
  /** Which attempt of the operation the fault hits (1 = the first). */
  attempt: number
  /** Probability the fault fires on a matching attempt (1 = always). */
  probability: number
  /** Standalone proxy only: which requests (default all) and which occurrence (default every). */
  match?: RequestMatch
  nth?: number
  /** toxic: the proxy on the scenario's `toxiproxy` server that gets the toxic during the trial. */
  proxy?: string
  /** toxic: the byte toxic, in Toxiproxy's terms. */
  toxic?: RemoteToxicSpec
}

/** A Toxiproxy toxic as a profile names it (added for one trial, then removed). */
export interface RemoteToxicSpec {
  type: string
  stream: 'upstream' | 'downstream'
  toxicity: number
  attributes: Record<string, number>
}

/** An external Toxiproxy-API server (a real Toxiproxy or `faultline serve`) a run drives. */
export interface ToxiproxyBlock {
  url: string
  /** Proxies created (populated) at the start of the run and removed at its end. */
  proxies: Array<{name: string; listen: string; upstream: string; enabled?: boolean}>
}

export interface Profile {
  name: string
  description: string
  faults: ProfileFault[]
  /** Where it was defined: 'built-in' or file:line. */
  source: string
}

export interface Scenario {
  /** Absolute path of the scenario file. */
  file: string
  /** Directory relative paths (server cwd, profile files) resolve against. */
  dir: string
  version: 1
  target: Target
  client: ClientPolicy
  /** The user's own client; when set, trials run it instead of the built-in client. */
  clientCommand?: ClientCommand
  endpoints: Endpoint[]
  /** Default profile names for endpoints that do not list their own. */
  profiles: string[]
  /** All profiles known to this scenario: built-ins plus those from profile files. */
  profileCatalog: Map<string, Profile>
  /** Profile files named by the scenario (absolute paths), already loaded into the catalog. */
  profileFiles: string[]
  trials: number
  /** Quiet period after the last delivery before probing, ms. */
  settle: number
  /** Max trials running at once (crash trials always run alone). */
  concurrency: number
  seed?: number
  /** The Toxiproxy-API server whose proxies `toxic` faults change, when the scenario names one. */
  toxiproxy?: ToxiproxyBlock
}
