import path from 'node:path'
import {ScenarioError} from '../errors.js'
import {ProtoCatalog, ProtoError} from '../grpc/proto.js'
import {checkBounds} from './bounds.js'
import {GRPC_STATUS_NAMES} from '../grpc/status.js'
import {DurationError, parseDuration} from './duration.js'
import {jsonPathProblem} from '../jsonpath.js'
import {unsupportedFault} from './fault-support.js'
import {builtinProfileCatalog, DEFAULT_PROFILES, loadProfileFile, unknownProfileMessage} from './profiles.js'
import {readYamlFile, type PathSegment, type YamlSource} from './source.js'
import {
  findTemplateNames,
  hasUnclosedTemplate,
  isTemplateName,
  renderString,
  TEMPLATE_NAMES,
} from './template.js'
import type {
  ClientPolicy,
  Contract,
  Expectation,
  EffectProbe,
  Endpoint,
  EndpointRequest,
  JsonRpcCallTemplate,
  JsonRpcRequestTemplate,
  Protocol,
  TcpRequestTemplate,
  TcpTarget,
  GrpcRequestTemplate,
  Profile,
  ProbeConversion,
  ReadyCheck,
  RequestTemplate,
  Scenario,
  ServerBlock,
  Target,
} from './types.js'
import {didYouMean, schemaValidator, validateSource} from './validate.js'

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

export interface LoadScenarioOptions {
  /** Environment `{{env.NAME}}` templates are checked against (default process.env). */
  env?: NodeJS.ProcessEnv
}

/** The scenario as the schema guarantees it, before defaults and semantic checks. */
interface RawRequest {
  method: string
  path: string
  headers?: Record<string, string | number | boolean>
  body?: unknown
}
interface RawJsonRpcCall {
  method: string
  params?: unknown
  notification?: boolean
}
interface RawGrpcRequest {
  method: string
  message?: Record<string, unknown>
  metadata?: Record<string, string | number | boolean>
}
type RawEndpointRequest =
  | RawRequest
  | (RawJsonRpcCall & {batch?: RawJsonRpcCall[]; headers?: RawRequest['headers']})
  | {frame: Record<string, unknown>}
  | RawGrpcRequest
interface RawScenario {
  version: 1
  target: {
    protocol: Protocol
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
  }
  client?: {
    timeout?: number | string
    attempts?: number
    backoff?: number | string
    backoffFactor?: number
    retryOn?: Array<number | string>
  }
  endpoints: Array<{
    name: string
    request: RawEndpointRequest
    effect?: {request: RawEndpointRequest; select: string; oracle?: EffectProbe['oracle']; volatile?: string[]; as?: ProbeConversion}
    expect?: Expectation | Expectation[]
    volatile?: string[]
    profiles?: string[]
    trials?: number
  }>
  profiles?: string[]
  profileFiles?: string[]
  trials?: number
  settle?: number | string
  concurrency?: number
  seed?: number
  toxiproxy?: {url: string; proxies?: Array<{name: string; listen: string; upstream: string; enabled?: boolean}>}
}

/** Which templates may appear where. `env.NAME` is allowed everywhere. */
const TARGET_TEMPLATES = ['port']
/** The server's command line and environment may also name the run's directory. */
const SERVER_TEMPLATES = ['port', 'runDir']
const REQUEST_TEMPLATES = ['key', 'requestId', 'attempt', 'uuid', 'trial']
const EFFECT_TEMPLATES = ['key', 'requestId', 'uuid', 'trial']

/** Semantic checks over schema-valid data, each reported at its file position. */
class Checker {
  constructor(
    readonly source: YamlSource,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  fail(at: PathSegment[], message: string, options?: {key?: boolean}): never {
    throw this.source.error(at, message, options)
  }

  duration(at: PathSegment[], value: number | string | undefined, fallback: number): number {
    if (value === undefined) return fallback
    try {
      return parseDuration(value)
    } catch (error) {
      if (error instanceof DurationError) this.fail(at, error.message)
      throw error
    }
  }

  /** Every string inside `value` uses only known templates allowed here, and set env vars. */
  templates(at: PathSegment[], value: unknown, allowed: readonly string[], where: string): void {
    if (typeof value === 'string') {
      for (const name of findTemplateNames(value)) {
        const list = [...allowed, 'env.NAME'].map((n) => `{{${n}}}`).join(', ')
        if (!isTemplateName(name)) {
          const guess = didYouMean(name, [...TEMPLATE_NAMES.filter((n) => n !== 'env.NAME'), ...allowed])
          const hint = guess && allowed.includes(guess) ? ` (did you mean {{${guess}}}?)` : ''
          this.fail(at, `unknown template {{${name}}}${hint}; allowed here: ${list}`)
        }
        if (name.startsWith('env.')) {
          const envName = name.slice(4)
          if (this.env[envName] === undefined) {
            this.fail(at, `environment variable ${envName} is not set (used by {{${name}}})`)
          }
        } else if (!allowed.includes(name)) {
          this.fail(at, `{{${name}}} is not available in ${where}; allowed here: ${list}`)
        }
      }
      if (hasUnclosedTemplate(value))
        this.fail(at, `unclosed "{{"; templates are written {{name}} (got ${JSON.stringify(value)})`)
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => this.templates([...at, i], item, allowed, where))
    } else if (value !== null && typeof value === 'object') {
      for (const [k, item] of Object.entries(value)) this.templates([...at, k], item, allowed, where)
    }
  }

  jsonPath(at: PathSegment[], value: string): string {
    const problem = jsonPathProblem(value)
    if (problem) this.fail(at, `not a valid JSONPath: ${problem} (got ${JSON.stringify(value)})`)
    return value
  }

  /** An endpoint's or probe's request in the target protocol's terms. */
  endpointRequest(protocol: Protocol, at: PathSegment[], raw: RawEndpointRequest, allowed: readonly string[], where: string): EndpointRequest {
    if (protocol === 'jsonrpc') return this.jsonRpcRequest(at, raw as RawJsonRpcCall & {batch?: RawJsonRpcCall[]; headers?: RawRequest['headers']}, allowed, where)
    if (protocol === 'tcp') return this.tcpRequest(at, raw as {frame: Record<string, unknown>}, allowed, where)
    return this.request(at, raw as RawRequest, allowed, where)
  }

  jsonRpcRequest(
    at: PathSegment[],
    raw: RawJsonRpcCall & {batch?: RawJsonRpcCall[]; headers?: RawRequest['headers']},
    allowed: readonly string[],
    where: string,
  ): JsonRpcRequestTemplate {
    this.templates(at, raw, allowed, where)
    const call = (c: RawJsonRpcCall): JsonRpcCallTemplate => {
      const out: JsonRpcCallTemplate = {method: c.method, notification: c.notification ?? false}
      if (c.params !== undefined) out.params = c.params
      return out
    }
    const headers = Object.fromEntries(Object.entries(raw.headers ?? {}).map(([k, v]) => [k, String(v)]))
    if (raw.batch !== undefined) {
      for (const name of ['method', 'params', 'notification'] as const) {
        if (name in raw) this.fail([...at, name], `a batch request lists its calls under batch; move ${name} into one of them`, {key: true})
      }
      return {kind: 'jsonrpc', calls: raw.batch.map(call), batch: true, headers}
    }
    if (typeof raw.method !== 'string') this.fail(at, 'missing required field "method" (the JSON-RPC method name), or list calls under batch')
    return {kind: 'jsonrpc', calls: [call(raw)], batch: false, headers}
  }

  tcpRequest(at: PathSegment[], raw: {frame: Record<string, unknown>}, allowed: readonly string[], where: string): TcpRequestTemplate {
    this.templates(at, raw, allowed, where)
    if ('$faultline' in raw.frame) this.fail([...at, 'frame', '$faultline'], 'the $faultline field is reserved for faultline\'s trial markers', {key: true})
    return {kind: 'tcp', frame: raw.frame}
  }

  request(at: PathSegment[], raw: RawRequest, allowed: readonly string[], where: string): RequestTemplate {
    this.templates(at, raw, allowed, where)
    const headers = Object.fromEntries(Object.entries(raw.headers ?? {}).map(([k, v]) => [k, String(v)]))
    const request: RequestTemplate = {method: raw.method.toUpperCase(), path: raw.path, headers}
    if ('body' in raw) request.body = raw.body
    return request
  }

  /** A gRPC call: a unary method of the proto, a message with its fields, metadata. */
  grpcRequest(at: PathSegment[], raw: RawGrpcRequest, catalog: ProtoCatalog, allowed: readonly string[], where: string): GrpcRequestTemplate {
    this.templates(at, raw, allowed, where)
    const name = raw.method.replace(/^\//, '')
    const method = catalog.method(name)
    if (!method) {
      const known = [...catalog.methods.keys()]
      const guess = didYouMean(name, known)
      this.fail([...at, 'method'], `unknown method "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; the proto defines: ${catalog.describe()}`)
    }
    if (!method.unary) {
      this.fail([...at, 'method'], `${name} is a streaming method; only unary methods can be checked (the proxy passes streaming calls through)`)
    }
    const message = raw.message ?? {}
    for (const field of Object.keys(message)) {
      if (!method.requestFields.includes(field)) {
        const guess = didYouMean(field, method.requestFields)
        this.fail([...at, 'message', field], `unknown field of the ${name} request message${guess ? ` (did you mean ${guess}?)` : ''}; its fields: ${method.requestFields.join(', ') || '(none)'}`, {key: true})
      }
    }
    const metadata = Object.fromEntries(Object.entries(raw.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]))
    return {method: name, message, metadata}
  }

  /** A request of the target's protocol. */
  /** An endpoint's request in its protocol's terms (gRPC requests are checked against the proto). */
  anyRequest(protocol: Protocol, at: PathSegment[], raw: RawEndpointRequest, catalog: ProtoCatalog | undefined, allowed: readonly string[], where: string): EndpointRequest {
    if (catalog) return this.grpcRequest(at, raw as RawGrpcRequest, catalog, allowed, where)
    return this.endpointRequest(protocol, at, raw, allowed, where)
  }
}

function buildTarget(check: Checker, raw: RawScenario['target'], dir: string): Target {
  const at = ['target']
  check.templates([...at, 'url'], raw.url, TARGET_TEMPLATES, 'target.url')
  const sample = renderString(raw.url, {port: 1, env: check.env})
  let url: URL | undefined
  try {
    url = new URL(sample)
  } catch {
    url = undefined
  }
  if (raw.protocol === 'grpc') {
    if (!url || (url.protocol !== 'grpc:' && url.protocol !== 'http:') || url.hostname === '' || url.port === '') {
      check.fail(
        [...at, 'url'],
        `must be a grpc:// or http:// URL with a port, such as grpc://127.0.0.1:50051 (got ${JSON.stringify(raw.url)})`,
      )
    }
  } else {
    const scheme = raw.protocol === 'tcp' ? 'tcp:' : 'http:'
    if (!url || url.protocol !== scheme || url.hostname === '' || (scheme === 'tcp:' && url.port === '')) {
      const example = raw.protocol === 'tcp' ? 'tcp://127.0.0.1:4100' : raw.protocol === 'jsonrpc' ? 'http://127.0.0.1:4100/rpc' : 'http://127.0.0.1:4100'
      check.fail([...at, 'url'], `must be ${scheme === 'tcp:' ? 'a' : 'an'} ${scheme}// URL such as ${example} (got ${JSON.stringify(raw.url)})`)
    }
  }
  if (findTemplateNames(raw.url).includes('port') && !raw.server) {
    check.fail(
      [...at, 'url'],
      '{{port}} needs target.server: faultline picks the port and starts the server on it',
    )
  }
  const target: Target = {protocol: raw.protocol, url: raw.url}
  if (raw.protocol === 'jsonrpc') {
    target.jsonrpc = {retryErrorCodes: [...(raw.retryErrorCodes ?? SCENARIO_DEFAULTS.jsonrpc.retryErrorCodes)]}
    if (raw.requestId) {
      const place = raw.requestId as {param: string} | {header: string}
      target.jsonrpc.requestId = 'param' in place ? {param: check.jsonPath([...at, 'requestId', 'param'], place.param)} : {header: place.header}
    }
  }
  if (raw.protocol === 'tcp') target.tcp = buildTcpTarget(check, raw)
  if (raw.proto !== undefined) target.proto = path.resolve(dir, raw.proto)
  if (raw.server) {
    const s = raw.server
    const sat = [...at, 'server']
    if (s.setup !== undefined) check.templates([...sat, 'setup'], s.setup, SERVER_TEMPLATES, 'target.server')
    check.templates([...sat, 'command'], s.command, SERVER_TEMPLATES, 'target.server')
    check.templates([...sat, 'env'], s.env ?? {}, SERVER_TEMPLATES, 'target.server')
    let ready: ReadyCheck = SCENARIO_DEFAULTS.server.ready
    if (s.ready?.http !== undefined && raw.protocol === 'tcp') {
      check.fail([...sat, 'ready', 'http'], 'a tcp target cannot answer HTTP; use ready: { tcp: true } or { log: PATTERN }', {key: true})
    }
    if (s.ready?.http !== undefined) {
      if (raw.protocol === 'grpc') {
        check.fail([...sat, 'ready', 'http'], 'a gRPC server has no HTTP/1.1 readiness path; use ready: { tcp: true } or { log: "listening" }', {key: true})
      }
      check.templates([...sat, 'ready', 'http'], s.ready.http, TARGET_TEMPLATES, 'target.server')
      ready = {kind: 'http', path: s.ready.http}
    } else if (s.ready?.log !== undefined) {
      try {
        new RegExp(s.ready.log)
      } catch (error) {
        check.fail([...sat, 'ready', 'log'], `not a valid regular expression: ${(error as Error).message}`)
      }
      ready = {kind: 'log', pattern: s.ready.log}
    }
    const server: ServerBlock = {
      command: s.command,
      env: Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, String(v)])),
      ready,
      startupTimeout: check.duration(
        [...sat, 'startupTimeout'],
        s.startupTimeout,
        SCENARIO_DEFAULTS.server.startupTimeout,
      ),
    }
    if (s.cwd !== undefined) server.cwd = path.resolve(dir, s.cwd)
    if (s.setup !== undefined) server.setup = s.setup
    target.server = server
  }
  return target
}

function buildTcpTarget(check: Checker, raw: RawScenario['target']): TcpTarget {
  const at = ['target']
  const f = raw.framing ?? {type: 'ndjson' as const}
  const maxFrameBytes = f.maxFrameBytes ?? SCENARIO_DEFAULTS.tcp.maxFrameBytes
  if (f.type === 'ndjson') {
    for (const name of ['headerBytes', 'byteOrder'] as const) {
      if (f[name] !== undefined) check.fail([...at, 'framing', name], `only length-prefixed framing has ${name}`, {key: true})
    }
  }
  const headerBytes = f.headerBytes ?? 4
  if (f.type === 'length-prefixed' && f.maxFrameBytes !== undefined && f.maxFrameBytes > 2 ** (8 * headerBytes) - 1) {
    check.fail([...at, 'framing', 'maxFrameBytes'], `a ${headerBytes}-byte length header describes at most ${2 ** (8 * headerBytes) - 1} bytes`)
  }
  const tcp: TcpTarget = {
    framing:
      f.type === 'ndjson'
        ? {type: 'ndjson', maxFrameBytes}
        : {type: 'length-prefixed', headerBytes, byteOrder: f.byteOrder ?? 'big', maxFrameBytes: Math.min(maxFrameBytes, 2 ** (8 * headerBytes) - 1)},
  }
  if (raw.replyId !== undefined) tcp.replyId = check.jsonPath([...at, 'replyId'], raw.replyId)
  if (raw.requestId !== undefined) tcp.requestId = check.jsonPath([...at, 'requestId'], raw.requestId as string)
  if (raw.errorField !== undefined) tcp.errorField = check.jsonPath([...at, 'errorField'], raw.errorField)
  return tcp
}

/** The target's .proto, loaded now so methods and fields are checked at load time. */
function loadProto(check: Checker, target: Target): ProtoCatalog | undefined {
  if (target.protocol !== 'grpc' || target.proto === undefined) return undefined
  try {
    return ProtoCatalog.load(target.proto)
  } catch (error) {
    if (error instanceof ProtoError) check.fail(['target', 'proto'], `cannot load the proto file: ${error.message}`)
    throw error
  }
}

function buildClient(check: Checker, raw: RawScenario['client'] = {}, protocol: Target['protocol'] = 'http'): ClientPolicy {
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

async function loadProfileFiles(
  check: Checker,
  raw: RawScenario,
  file: string,
  dir: string,
): Promise<{catalog: Map<string, Profile>; files: string[]}> {
  const catalog = builtinProfileCatalog()
  const files: string[] = []
  for (const [i, rel] of (raw.profileFiles ?? []).entries()) {
    const absolute = path.resolve(dir, rel)
    const display = path.isAbsolute(rel) ? rel : path.join(path.dirname(file), rel)
    const profiles = await loadProfileFile(absolute, {
      displayName: display,
      known: catalog,
      onReadError: (reason) =>
        check.source.error(['profileFiles', i], `cannot read profile file ${display}: ${reason}`),
    })
    for (const profile of profiles) catalog.set(profile.name, profile)
    files.push(absolute)
  }
  return {catalog, files}
}

function checkProfileNames(
  check: Checker,
  at: PathSegment[],
  names: string[],
  catalog: Map<string, Profile>,
  protocol: Target['protocol'],
): string[] {
  names.forEach((name, i) => {
    const profile = catalog.get(name)
    if (!profile) check.fail([...at, i], unknownProfileMessage(name, catalog))
    const foreign = profile.faults.map((f) => unsupportedFault(f, protocol)).find((u) => u !== undefined)
    if (foreign) {
      check.fail([...at, i], `profile "${name}" injects ${foreign.what}, which apply to ${foreign.protocols.join(', ')} targets only (this target is ${protocol})`)
    }
  })
  return [...names]
}

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

function buildEndpoints(
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
      request: check.anyRequest(raw.target.protocol, [...at, 'request'], e.request, proto, REQUEST_TEMPLATES, 'endpoint requests'),
      expect: expectations(check, [...at, 'expect'], e.expect),
      volatileReplyFields: (e.volatile ?? []).map((p, j) => check.jsonPath([...at, 'volatile', j], p)),
      profiles: e.profiles
        ? checkProfileNames(check, [...at, 'profiles'], e.profiles, catalog, raw.target.protocol)
        : [...profiles],
      trials: e.trials ?? trials,
      positions: {request: check.source.position([...at, 'request'])},
    }
    if (e.effect) {
      const eat = [...at, 'effect']
      endpoint.effect = {
        request: check.anyRequest(raw.target.protocol, [...eat, 'request'], e.effect.request, proto, EFFECT_TEMPLATES, 'effect probes'),
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

/**
 * Read, validate and type a scenario file. Every problem is a ScenarioError (exit 2) whose
 * one-line message starts with file:line:column and names the field and what is allowed.
 * Defaults are filled here and nowhere else; profile files are loaded into the catalog.
 */
export async function loadScenario(file: string, options: LoadScenarioOptions = {}): Promise<Scenario> {
  const source = await readYamlFile(file, 'scenario file')
  if (source.data === null || source.data === undefined) {
    throw new ScenarioError(
      {file, line: 1, column: 1},
      'the scenario file is empty; it starts with version: 1',
    )
  }
  validateSource(source, await schemaValidator('scenario.schema.json'))
  const raw = source.data as RawScenario
  const check = new Checker(source, options.env ?? process.env)
  const absolute = path.resolve(file)
  const dir = path.dirname(absolute)

  const target = buildTarget(check, raw.target, dir)
  const proto = loadProto(check, target)
  const client = buildClient(check, raw.client, target.protocol)
  const {catalog, files} = await loadProfileFiles(check, raw, file, dir)
  const profiles = raw.profiles
    ? checkProfileNames(check, ['profiles'], raw.profiles, catalog, target.protocol)
    : [...SCENARIO_DEFAULTS.profiles]
  const trials = raw.trials ?? SCENARIO_DEFAULTS.trials
  const scenario: Scenario = {
    file: absolute,
    dir,
    version: 1,
    target,
    client,
    endpoints: buildEndpoints(check, raw, catalog, profiles, trials, proto),
    profiles,
    profileCatalog: catalog,
    profileFiles: files,
    trials,
    settle: check.duration(['settle'], raw.settle, SCENARIO_DEFAULTS.settle),
    concurrency: raw.concurrency ?? SCENARIO_DEFAULTS.concurrency,
  }
  if (raw.seed !== undefined) scenario.seed = raw.seed
  if (raw.toxiproxy !== undefined) scenario.toxiproxy = {url: raw.toxiproxy.url, proxies: raw.toxiproxy.proxies ?? []}
  checkFaultNeeds(check, raw, scenario)
  checkBounds(source, raw, scenario)
  return scenario
}

/**
 * Profiles whose faults need more than the proxy: `toxic` faults need the scenario's
 * `toxiproxy` server, crash faults a `target.server` faultline runs (and can restart).
 */
function checkFaultNeeds(check: Checker, raw: RawScenario, scenario: Scenario): void {
  scenario.endpoints.forEach((endpoint, i) => {
    endpoint.profiles.forEach((name, j) => {
      const faults = scenario.profileCatalog.get(name)?.faults ?? []
      const at: PathSegment[] = raw.endpoints[i]?.profiles ? ['endpoints', i, 'profiles', j] : ['profiles', raw.profiles?.indexOf(name) ?? 0]
      if (!scenario.toxiproxy && faults.some((f) => f.type === 'toxic')) {
        check.fail(at, `profile "${name}" has toxic faults, which need a toxiproxy server: add toxiproxy: { url: http://127.0.0.1:8474 } to the scenario`)
      }
      if (!scenario.target.server && faults.some((f) => f.type === 'crash-before-reply' || f.type === 'crash-after-reply')) {
        check.fail(at, `profile "${name}" crashes the server, which faultline can only do to a server it starts: add target.server with the command that starts it`)
      }
    })
  })
}
