import type {ProtoCatalog} from '../grpc/proto.js'
import type {RawEndpointRequest, RawGrpcRequest, RawJsonRpcCall, RawRequest} from './raw-scenario.js'
import type {Checker} from './scenario-checker.js'
import type {PathSegment} from './source.js'
import type {
  EndpointRequest,
  GrpcRequestTemplate,
  JsonRpcCallTemplate,
  JsonRpcRequestTemplate,
  Protocol,
  RequestTemplate,
  TcpRequestTemplate,
} from './types.js'
import {didYouMean} from './validate.js'

type RawJsonRpcRequest = RawJsonRpcCall & {batch?: RawJsonRpcCall[]; headers?: RawRequest['headers']}

/** An endpoint's request in its protocol's terms (gRPC requests are checked against the proto). */
export function buildRequest(
  check: Checker,
  protocol: Protocol,
  at: PathSegment[],
  raw: RawEndpointRequest,
  catalog: ProtoCatalog | undefined,
  allowed: readonly string[],
  where: string,
): EndpointRequest {
  if (catalog) return grpcRequest(check, at, raw as RawGrpcRequest, catalog, allowed, where)
  if (protocol === 'jsonrpc') return jsonRpcRequest(check, at, raw as RawJsonRpcRequest, allowed, where)
  if (protocol === 'tcp') return tcpRequest(check, at, raw as {frame: Record<string, unknown>}, allowed, where)
  return httpRequest(check, at, raw as RawRequest, allowed, where)
}

function jsonRpcRequest(check: Checker, at: PathSegment[], raw: RawJsonRpcRequest, allowed: readonly string[], where: string): JsonRpcRequestTemplate {
  check.templates(at, raw, allowed, where)
  const call = (c: RawJsonRpcCall): JsonRpcCallTemplate => {
    const out: JsonRpcCallTemplate = {method: c.method, notification: c.notification ?? false}
    if (c.params !== undefined) out.params = c.params
    return out
  }
  const headers = Object.fromEntries(Object.entries(raw.headers ?? {}).map(([k, v]) => [k, String(v)]))
  if (raw.batch !== undefined) {
    for (const name of ['method', 'params', 'notification'] as const) {
      if (name in raw) check.fail([...at, name], `a batch request lists its calls under batch; move ${name} into one of them`, {key: true})
    }
    return {kind: 'jsonrpc', calls: raw.batch.map(call), batch: true, headers}
  }
  if (typeof raw.method !== 'string') check.fail(at, 'missing required field "method" (the JSON-RPC method name), or list calls under batch')
  return {kind: 'jsonrpc', calls: [call(raw)], batch: false, headers}
}

function tcpRequest(check: Checker, at: PathSegment[], raw: {frame: Record<string, unknown>}, allowed: readonly string[], where: string): TcpRequestTemplate {
  check.templates(at, raw, allowed, where)
  if ('$faultline' in raw.frame) check.fail([...at, 'frame', '$faultline'], 'the $faultline field is reserved for faultline\'s trial markers', {key: true})
  return {kind: 'tcp', frame: raw.frame}
}

function httpRequest(check: Checker, at: PathSegment[], raw: RawRequest, allowed: readonly string[], where: string): RequestTemplate {
  check.templates(at, raw, allowed, where)
  const headers = Object.fromEntries(Object.entries(raw.headers ?? {}).map(([k, v]) => [k, String(v)]))
  const request: RequestTemplate = {method: raw.method.toUpperCase(), path: raw.path, headers}
  if ('body' in raw) request.body = raw.body
  return request
}

/** A gRPC call: a unary method of the proto, a message with its fields, metadata. */
function grpcRequest(check: Checker, at: PathSegment[], raw: RawGrpcRequest, catalog: ProtoCatalog, allowed: readonly string[], where: string): GrpcRequestTemplate {
  check.templates(at, raw, allowed, where)
  const name = raw.method.replace(/^\//, '')
  const method = catalog.method(name)
  if (!method) {
    const known = [...catalog.methods.keys()]
    const guess = didYouMean(name, known)
    check.fail([...at, 'method'], `unknown method "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; the proto defines: ${catalog.describe()}`)
  }
  if (!method.unary) {
    check.fail([...at, 'method'], `${name} is a streaming method; only unary methods can be checked (the proxy passes streaming calls through)`)
  }
  const message = raw.message ?? {}
  for (const field of Object.keys(message)) {
    if (!method.requestFields.includes(field)) {
      const guess = didYouMean(field, method.requestFields)
      check.fail([...at, 'message', field], `unknown field of the ${name} request message${guess ? ` (did you mean ${guess}?)` : ''}; its fields: ${method.requestFields.join(', ') || '(none)'}`, {key: true})
    }
  }
  const metadata = Object.fromEntries(Object.entries(raw.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]))
  return {method: name, message, metadata}
}
