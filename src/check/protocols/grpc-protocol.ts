import * as grpc from '@grpc/grpc-js'
import {ATTEMPT_METADATA, GrpcFaultProxy, h2cOrigin, TRIAL_METADATA} from '../../proxy/grpc/grpc-fault-proxy.js'
import {ProtoCatalog} from '../../grpc/proto.js'
import {grpcStatusName, parsePushback, PREVIOUS_ATTEMPTS_HEADER, PUSHBACK_HEADER} from '../../grpc/status.js'
import type {ClientPolicy, GrpcRequestTemplate, Scenario} from '../../scenario/types.js'
import {failsOver, type AttemptMarkers, type ProtocolAdapter, type Transport, type TransportReply} from '../protocol.js'

/**
 * A status a gRPC client synthesises from a transport event rather than one the server
 * sent: the deadline passed, the stream was cancelled or reset (RST_STREAM). The call may or
 * may not have run, so the built-in client treats these like timeouts and connection errors.
 */
export class GrpcTransportError extends Error {
  constructor(
    readonly code: string,
    details: string,
  ) {
    super(details)
  }
}

/** Codes whose reply does not say whether the call ran (like HTTP 5xx). */
const INDETERMINATE = new Set(['UNKNOWN', 'INTERNAL', 'DATA_LOSS', 'UNAVAILABLE'])

/**
 * How a status the server sent ends or continues an operation: OK is ok, the policy's
 * retryOn codes (default UNAVAILABLE) are retried, codes that do not say whether the call
 * ran are indeterminate, the rest (INVALID_ARGUMENT, NOT_FOUND, …) failed.
 */
export function classifyGrpcStatus(code: string, policy: ClientPolicy): TransportReply['classification'] {
  if (code === 'OK') return 'ok'
  // A status that fails over is retried on the next replica.
  if (policy.retryOn.includes(code) || policy.failoverOn?.includes(code)) return 'retry'
  return INDETERMINATE.has(code) ? 'indeterminate' : 'failed'
}

/** grpc-js statuses that stand for a transport event, not a server's answer. */
export function isTransportStatus(code: string, details: string): boolean {
  if (code === 'DEADLINE_EXCEEDED' || code === 'CANCELLED') return true
  return code === 'INTERNAL' && /^Received RST_STREAM/.test(details)
}

const catalogs = new Map<string, ProtoCatalog>()

/** The scenario's .proto, loaded once per file. */
export function scenarioCatalog(scenario: Scenario): ProtoCatalog {
  const file = scenario.target.proto
  if (!file) throw new Error('a grpc target needs target.proto')
  let catalog = catalogs.get(file)
  if (!catalog) {
    catalog = ProtoCatalog.load(file)
    catalogs.set(file, catalog)
  }
  return catalog
}

function buildMetadata(request: GrpcRequestTemplate, markers: AttemptMarkers | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata()
  for (const [key, value] of Object.entries(request.metadata ?? {})) {
    if (key.endsWith('-bin')) metadata.set(key, Buffer.from(value, 'base64'))
    else metadata.set(key, value)
  }
  if (markers) {
    metadata.set(TRIAL_METADATA, markers.trial)
    metadata.set(ATTEMPT_METADATA, String(markers.attempt))
    // gRFC A6: retries say how many attempts came before.
    if (markers.attempt > 1) metadata.set(PREVIOUS_ATTEMPTS_HEADER, String(markers.attempt - 1))
  }
  return metadata
}

/**
 * faultline's gRPC transport: @grpc/grpc-js with its own retries off (every attempt is
 * faultline's), the attempt's deadline = the client timeout, markers as metadata.
 */
export function grpcTransport(url: string, catalog: ProtoCatalog): Transport {
  const client = new grpc.Client(new URL(h2cOrigin(url)).host, grpc.credentials.createInsecure(), {
    'grpc.enable_retries': 0,
    // Reconnect quickly after a server restart (crash faults) instead of backing off for seconds.
    'grpc.initial_reconnect_backoff_ms': 50,
    'grpc.max_reconnect_backoff_ms': 250,
  })
  return {
    send(rendered, markers, policy, signal) {
      const request = rendered as GrpcRequestTemplate
      const method = catalog.method(request.method)
      if (!method) return Promise.reject(new Error(`unknown method ${request.method}; the proto defines: ${catalog.describe()}`))
      return new Promise<TransportReply>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason)
        let trailers: grpc.Metadata | undefined
        const call = client.makeUnaryRequest(
          method.path,
          method.definition.requestSerialize as (value: object) => Buffer,
          method.definition.responseDeserialize as (bytes: Buffer) => object,
          request.message ?? {},
          buildMetadata(request, markers),
          {deadline: Date.now() + policy.timeout},
          (err, value) => {
            signal.removeEventListener('abort', onAbort)
            if (signal.aborted) return reject(signal.reason)
            if (!err) return resolve({status: 'OK', classification: 'ok', body: value ?? {}, notFound: false})
            const code = grpcStatusName(err.code)
            const details = err.details ?? ''
            if (isTransportStatus(code, details)) return reject(new GrpcTransportError(code, details))
            let classification = classifyGrpcStatus(code, policy)
            const reply: TransportReply = {status: code, classification, body: details, notFound: code === 'NOT_FOUND'}
            const pushbackValue = (trailers ?? err.metadata)?.get(PUSHBACK_HEADER)[0]
            const pushback = parsePushback(pushbackValue === undefined ? undefined : String(pushbackValue))
            if (classification === 'retry' && pushback.kind === 'delay') reply.retryAfterMs = pushback.ms
            if (classification === 'retry' && pushback.kind === 'stop') classification = 'indeterminate'
            if (failsOver(policy, code, classification)) reply.failover = `${code} ${details}`.trim()
            resolve({...reply, classification})
          },
        )
        call.on('status', (status: grpc.StatusObject) => {
          trailers = status.metadata
        })
        const onAbort = () => call.cancel()
        signal.addEventListener('abort', onAbort, {once: true})
      })
    },
    close: async () => client.close(),
  }
}

/** Unary gRPC over HTTP/2 cleartext: the L7 gRPC proxy, @grpc/grpc-js for the client and the probes. */
export const grpcProtocol: ProtocolAdapter = {
  protocol: 'grpc',
  async startProxy(options) {
    const proxy = new GrpcFaultProxy({
      upstream: options.upstream,
      events: options.events,
      rules: options.rules,
      hooks: options.hooks,
      captureBytes: options.captureBytes,
      owner: options.owner,
      tracker: options.tracker,
      catalog: scenarioCatalog(options.scenario),
    })
    await proxy.start()
    return {url: proxy.url, tracker: proxy.tracker, close: () => proxy.close()}
  },
  createClient: (proxyUrl, scenario) => grpcTransport(proxyUrl, scenarioCatalog(scenario)),
  createProbeClient: (targetUrl, scenario) => grpcTransport(targetUrl, scenarioCatalog(scenario)),
}
