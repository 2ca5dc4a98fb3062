import {Pool} from 'undici'
import {ATTEMPT_HEADER, TRIAL_HEADER} from '../../proxy/http/headers.js'
import {createJsonRpcFaultProxy} from '../../proxy/jsonrpc/jsonrpc-fault-proxy.js'
import {findResponse} from '../../proxy/jsonrpc/message.js'
import type {ClientPolicy, JsonRpcRequestTemplate, JsonRpcTarget, Scenario} from '../../scenario/types.js'
import {parseJsonBody, sendRequest} from '../http-request.js'
import {failsOver, type ProtocolAdapter, type Transport, type TransportReply} from '../protocol.js'
import {retryAfterMs} from '../retry-after.js'
import {classifyHttpStatus} from './http-protocol.js'

function jsonRpcOptions(scenario: Scenario): JsonRpcTarget {
  return scenario.target.jsonrpc ?? {retryErrorCodes: []}
}

/**
 * How one JSON-RPC response ends or continues an operation: a `result` is ok; an `error` is
 * final (`failed`) unless its code is listed in target.retryErrorCodes or client.failoverOn
 * (replicated targets: those codes fail over; without failoverOn the retried ones do).
 * Transport-level problems (HTTP status, no response for the call) are classified like HTTP or thrown.
 */
export function classifyJsonRpcResponse(
  response: Record<string, unknown>,
  httpStatus: number,
  options: JsonRpcTarget,
  policy: ClientPolicy,
): Pick<TransportReply, 'status' | 'classification' | 'body' | 'bodyIsJson' | 'failover'> {
  if ('error' in response && response.error !== undefined && response.error !== null) {
    const error = response.error as {code?: unknown; message?: unknown}
    const code = typeof error.code === 'number' ? error.code : 'error'
    // A code in client.failoverOn is retried on the next replica.
    const retried = typeof code === 'number' && (options.retryErrorCodes.includes(code) || policy.failoverOn?.includes(code) === true)
    const classification = retried ? 'retry' : 'failed'
    const failover = failsOver(policy, code, classification) ? `${code} ${typeof error.message === 'string' ? error.message : ''}`.trim() : undefined
    return {status: code, classification, body: response.error, failover}
  }
  // Every JSON value is a valid result, a string included: it is the body itself, never reply text.
  return {status: httpStatus, classification: 'ok', body: response.result ?? null, bodyIsJson: true}
}

/** The wire form of a rendered request with JSON-RPC ids from `nextId`. */
export function encodeJsonRpc(request: JsonRpcRequestTemplate, nextId: () => number): {body: unknown; focusId?: number} {
  let focusId: number | undefined
  const calls = request.calls.map((call, i) => {
    const out: Record<string, unknown> = {jsonrpc: '2.0', method: call.method}
    if (call.params !== undefined) out.params = call.params
    if (!call.notification) {
      out.id = nextId()
      if (i === 0) focusId = out.id as number
    }
    return out
  })
  return {body: request.batch ? calls : calls[0], focusId}
}

function jsonRpcTransport(url: string, options: JsonRpcTarget, connections: number): Transport {
  const target = new URL(url)
  const pool = new Pool(target.origin, {connections})
  const path = target.pathname + target.search
  let counter = 0
  return {
    async send(request, markers, policy: ClientPolicy, signal) {
      const template = request as JsonRpcRequestTemplate
      const {body, focusId} = encodeJsonRpc(template, () => ++counter)
      const headers: Record<string, string> = {...template.headers, 'content-type': 'application/json'}
      const extra: Record<string, string> = markers ? {[TRIAL_HEADER]: markers.trial, [ATTEMPT_HEADER]: String(markers.attempt)} : {}
      const reply = await sendRequest(pool, {method: 'POST', path, headers, body}, extra, signal)
      const json = parseJsonBody(reply.body)
      const text = reply.body.subarray(0, 4096).toString('utf8')
      const wait = retryAfterMs(reply.headers['retry-after'])
      if (reply.status < 200 || reply.status >= 300) {
        // client.failoverOn lists JSON-RPC codes: an HTTP status the client retries always fails over.
        const classification = classifyHttpStatus(reply.status, {...policy, failoverOn: undefined})
        const failover = classification === 'retry' ? String(reply.status) : undefined
        return {status: reply.status, classification, body: json.ok ? json.value : text, notFound: reply.status === 404, retryAfterMs: wait, failover}
      }
      // A notification under test: the server acknowledges nothing beyond the HTTP status.
      if (focusId === undefined) return {status: reply.status, classification: 'ok', body: json.ok ? json.value : null, notFound: false}
      const response = findResponse(reply.body, focusId)
      if (!response) throw new Error(`the JSON-RPC reply holds no response to call id ${focusId}: ${text.slice(0, 120)}`)
      return {...classifyJsonRpcResponse(response, reply.status, options, policy), notFound: false, retryAfterMs: wait}
    },
    close: () => pool.close(),
  }
}

/** JSON-RPC 2.0 over HTTP: the L7 HTTP proxy reading JSON-RPC bodies, undici for the client and probes. */
export const jsonRpcProtocol: ProtocolAdapter = {
  protocol: 'jsonrpc',
  async startProxy(options) {
    const upstream = new URL(options.upstream)
    const proxy = createJsonRpcFaultProxy({
      // Clients post to the upstream's own path on the proxy, so the proxy adds no prefix.
      upstream: upstream.origin,
      events: options.events,
      rules: options.rules,
      hooks: options.hooks,
      captureBytes: options.captureBytes,
      owner: options.owner,
      tracker: options.tracker,
      jsonrpc: {requestId: jsonRpcOptions(options.scenario).requestId},
    })
    await proxy.start()
    return {url: proxy.url + upstream.pathname + upstream.search, tracker: proxy.tracker, close: () => proxy.close()}
  },
  createClient: (proxyUrl, scenario) => jsonRpcTransport(proxyUrl, jsonRpcOptions(scenario), 256),
  createProbeClient: (targetUrl, scenario) => jsonRpcTransport(targetUrl, jsonRpcOptions(scenario), 64),
}
