import {EventLog} from '../events/event-log.js'
import type {ProtoCatalog} from '../grpc/proto.js'
import {MAX_MESSAGE_BYTES} from '../proxy/grpc/frames.js'
import {GrpcFaultProxy} from '../proxy/grpc/grpc-fault-proxy.js'
import {HttpFaultProxy} from '../proxy/http/http-fault-proxy.js'
import {RuleSet} from '../proxy/rule-set.js'
import {DEFAULT_MAX_FRAME_BYTES, type Framing} from '../proxy/tcp/framing.js'
import {TcpFaultProxy} from '../proxy/tcp/tcp-fault-proxy.js'
import {harEntry} from './har.js'
import {HarFile} from './har-file.js'
import {recordingInterceptor} from './http-recorder.js'
import {JsonLinesFile} from './json-lines-file.js'
import {MessageRecorder} from './message-recorder.js'
import type {Redaction} from './redaction.js'
import {RouteCounts} from './route-counts.js'

export type RecordProtocol = 'http' | 'jsonrpc' | 'grpc' | 'tcp'

export interface RecorderOptions {
  protocol: RecordProtocol
  listenHost: string
  listenPort: number
  upstream: string
  /** The output file, already created (claimOutputFile): HAR for http/jsonrpc, JSON lines otherwise. */
  fd: number
  /** Who wrote the HAR (`log.creator`). */
  creator: {name: string; version: string}
  redaction: Redaction
  /** gRPC: decodes messages; without it they are recorded as base64. */
  catalog?: ProtoCatalog
  /** TCP: how messages are framed (default: newline-delimited JSON). */
  framing?: Framing
  /** TCP: JSONPath of the request field that names its route. */
  routePath?: string
}

export interface Recorder {
  /** The proxy's address: point the client here. */
  url: string
  counts: RouteCounts
  /** Stop the proxy (open requests end), then finish and close the file. Calling it again waits for the same close. */
  close(): Promise<void>
}

/** No faults: a recording proxy passes everything through. */
const NO_RULES = new RuleSet(0)

/**
 * A recording: the protocol's ordinary proxy with no fault rules, and a recorder watching
 * what passes — HTTP and JSON-RPC into a HAR 1.2 file, gRPC and framed TCP into JSON lines.
 */
export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const counts = new RouteCounts()
  const events = new EventLog()
  const common = {upstream: options.upstream, host: options.listenHost, port: options.listenPort, events, rules: NO_RULES}
  if (options.protocol === 'http' || options.protocol === 'jsonrpc') {
    const har = new HarFile(options.fd, options.creator)
    const open = new Set<Promise<void>>()
    const finish = async () => {
      await Promise.allSettled([...open])
      await har.close()
    }
    const intercept = recordingInterceptor({
      jsonrpc: options.protocol === 'jsonrpc',
      track: (recording) => {
        open.add(recording)
        const forget = () => void open.delete(recording)
        void recording.then(forget, forget)
      },
      onRecorded: ({exchange, routes}) => {
        for (const route of routes) counts.add(route)
        har.add(harEntry(exchange, options.redaction))
      },
    })
    const proxy = new HttpFaultProxy({...common, intercept})
    await startOrClose(proxy, finish)
    return {url: proxy.url, counts, close: once(() => closeInOrder(proxy, finish))}
  }
  const lines = new JsonLinesFile(options.fd)
  const recorder = new MessageRecorder(events, {
    protocol: options.protocol,
    routePath: options.routePath,
    onLine: (line) => lines.add(line),
    onRequest: (route) => counts.add(route),
  })
  const finish = async () => {
    recorder.close()
    await lines.close()
  }
  const framing = options.framing ?? {type: 'ndjson', maxFrameBytes: DEFAULT_MAX_FRAME_BYTES}
  // Evidence up to the largest message each protocol accepts: every message is recorded whole.
  const proxy =
    options.protocol === 'grpc'
      ? new GrpcFaultProxy({...common, catalog: options.catalog, captureBytes: MAX_MESSAGE_BYTES + 5})
      : new TcpFaultProxy({...common, framing, captureBytes: framing.maxFrameBytes})
  await startOrClose(proxy, finish)
  return {url: proxy.url, counts, close: once(() => closeInOrder(proxy, finish))}
}

interface StartableProxy {
  start(): Promise<unknown>
  close(): Promise<void>
}

/** Start the proxy; if it cannot listen, the file is still finished (an empty, valid recording) before the error. */
async function startOrClose(proxy: StartableProxy, finish: () => Promise<void>): Promise<void> {
  try {
    await proxy.start()
  } catch (err) {
    await finish().catch(() => undefined)
    throw err
  }
}

/** The proxy first (requests still open end, and are recorded as far as they got), then the file. */
async function closeInOrder(proxy: StartableProxy, finish: () => Promise<void>): Promise<void> {
  try {
    await proxy.close()
  } finally {
    await finish()
  }
}

function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined
  return () => (closing ??= close())
}
