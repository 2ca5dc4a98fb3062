import {now} from '../events/event-log.js'
import type {ProtoCatalog} from '../grpc/proto.js'
import {singleHeader} from '../proxy/request-ids.js'
import {parseMessages} from '../proxy/grpc/frames.js'
import type {RequestInfo} from '../proxy/request-match.js'
import {RuleSet, type FaultDecision, type FaultRule} from '../proxy/rule-set.js'
import type {SeenAttempt} from './attempt.js'
import type {AuditObserver} from './observer.js'
import {keyFromFields, keyFromHeaders} from './request-key.js'
import {bodyHash, grpcTimeoutMs} from './route.js'

/**
 * The audit's way into the proxies that decide per request (gRPC, framed TCP): a rule set
 * whose every decision asks the observer. JSON-RPC has its own (jsonrpc-intake.ts).
 */
export class IntakeRules extends RuleSet {
  private readonly seen = new Set<string>()

  constructor(
    private readonly observer: AuditObserver,
    private readonly toAttempt: (info: RequestInfo) => SeenAttempt | undefined,
  ) {
    super(0)
  }

  override get size(): number {
    return 1
  }

  override decide(info: RequestInfo): FaultDecision | undefined {
    if (info.request === undefined || this.seen.has(info.request)) return undefined
    this.seen.add(info.request)
    const attempt = this.toAttempt(info)
    const action = attempt ? this.observer.observe(attempt) : undefined
    if (!action) return undefined
    const rule: FaultRule = {id: 'audit', action}
    return {rule, action}
  }
}

/** A JSON-RPC call as an attempt: keyed by a request-id param (or header), its `id` kept apart. */
export function jsonRpcAttempt(info: RequestInfo): SeenAttempt | undefined {
  return info.request === undefined ? undefined : jsonRpcCallAttempt(info, info.message, info.request)
}

/** One call (a single request's, or one of a batch) as the attempt `request`. */
export function jsonRpcCallAttempt(info: RequestInfo, message: unknown, request: string): SeenAttempt | undefined {
  const call = message as {method?: unknown; params?: unknown; id?: unknown} | undefined
  if (!call || typeof call.method !== 'string') return undefined
  return {
    request,
    time: now(),
    method: call.method,
    target: info.path.split('?')[0] ?? info.path,
    route: `rpc ${call.method}`,
    bodyHash: bodyHash(JSON.stringify({method: call.method, params: call.params ?? null})),
    key: keyFromFields(call.params, 'param') ?? keyFromHeaders(info.headers, 'header'),
    ...('id' in call ? {rpcId: JSON.stringify(call.id)} : {}),
    unsafe: true,
  }
}

/** A unary gRPC call as an attempt: keyed by request-id metadata, else a request-id field of the message. */
export function grpcAttempt(catalog: ProtoCatalog): (info: RequestInfo) => SeenAttempt | undefined {
  return (info) => {
    if (info.request === undefined) return undefined
    const rpc = catalog.methodByPath(info.path)
    const name = rpc?.name ?? info.path.replace(/^\//, '')
    const deadlineMs = grpcTimeoutMs(singleHeader(info.headers['grpc-timeout']))
    return {
      request: info.request,
      time: now(),
      method: name,
      target: info.path,
      route: `rpc ${name}`,
      bodyHash: bodyHash(info.body),
      key: keyFromHeaders(info.headers, 'metadata') ?? keyFromFields(decode(rpc, info.body), 'field'),
      ...(deadlineMs === undefined ? {} : {deadlineMs}),
      unsafe: true,
    }
  }
}

function decode(rpc: ReturnType<ProtoCatalog['methodByPath']>, body: Buffer | undefined): unknown {
  if (!rpc || !body) return undefined
  const [message] = parseMessages(body)
  if (!message || message.compressed) return undefined
  try {
    return rpc.definition.requestDeserialize(message.data)
  } catch {
    return undefined
  }
}
