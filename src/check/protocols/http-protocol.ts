import {Pool} from 'undici'
import {HttpFaultProxy} from '../../proxy/http/http-fault-proxy.js'
import {ATTEMPT_HEADER, TRIAL_HEADER} from '../../proxy/http/headers.js'
import type {ClientPolicy} from '../../scenario/types.js'
import {parseJsonBody, sendRequest, type RenderedRequest} from '../http-request.js'
import {failsOver, type ProtocolAdapter, type Transport, type TransportReply} from '../protocol.js'
import {retryAfterMs} from '../retry-after.js'

/** How one HTTP status ends or continues an operation. */
export function classifyHttpStatus(status: number, policy: ClientPolicy): TransportReply['classification'] {
  // A status that fails over is retried on the next replica.
  if (policy.retryOn.includes(status) || policy.failoverOn?.includes(status)) return 'retry'
  if (status < 400) return 'ok'
  if (status < 500) return 'failed'
  return 'indeterminate'
}

function httpTransport(url: string, connections: number): Transport {
  const pool = new Pool(new URL(url).origin, {connections})
  return {
    async send(request, markers, policy, signal) {
      const headers: Record<string, string> = markers ? {[TRIAL_HEADER]: markers.trial, [ATTEMPT_HEADER]: String(markers.attempt)} : {}
      const reply = await sendRequest(pool, request as RenderedRequest, headers, signal)
      const json = parseJsonBody(reply.body)
      const classification = classifyHttpStatus(reply.status, policy)
      return {
        status: reply.status,
        classification,
        body: json.ok ? json.value : reply.body.subarray(0, 4096).toString('utf8'),
        notFound: reply.status === 404,
        retryAfterMs: retryAfterMs(reply.headers['retry-after']),
        failover: failsOver(policy, reply.status, classification) ? String(reply.status) : undefined,
      }
    },
    close: () => pool.close(),
  }
}

/** REST over HTTP/1.1: the L7 HTTP proxy, undici for the client and the probes. */
export const httpProtocol: ProtocolAdapter = {
  protocol: 'http',
  async startProxy(options) {
    const proxy = new HttpFaultProxy({
      upstream: options.upstream,
      events: options.events,
      rules: options.rules,
      hooks: options.hooks,
      captureBytes: options.captureBytes,
      owner: options.owner,
      tracker: options.tracker,
    })
    await proxy.start()
    return {url: proxy.url, tracker: proxy.tracker, close: () => proxy.close()}
  },
  createClient: (proxyUrl) => httpTransport(proxyUrl, 256),
  createProbeClient: (targetUrl) => httpTransport(targetUrl, 64),
}
