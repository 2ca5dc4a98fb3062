import type {EventLog} from '../events/event-log.js'
import type {ProtoCatalog} from '../grpc/proto.js'
import {GrpcFaultProxy} from '../proxy/grpc/grpc-fault-proxy.js'
import {HttpFaultProxy} from '../proxy/http/http-fault-proxy.js'
import {createJsonRpcFaultProxy} from '../proxy/jsonrpc/jsonrpc-fault-proxy.js'
import {RuleSet} from '../proxy/rule-set.js'
import type {Framing} from '../proxy/tcp/framing.js'
import {TcpFaultProxy} from '../proxy/tcp/tcp-fault-proxy.js'
import {httpIntake} from './http-intake.js'
import type {AuditObserver} from './observer.js'
import {JsonRpcIntakeRules} from './jsonrpc-intake.js'
import {grpcAttempt, IntakeRules} from './rpc-intake.js'
import {tcpAttempt, type TcpFramePaths} from './tcp-intake.js'

/** The protocols `audit` can sit in front of. */
export const AUDIT_PROTOCOLS = ['http', 'jsonrpc', 'grpc', 'tcp'] as const
export type AuditProtocol = (typeof AUDIT_PROTOCOLS)[number]

export interface AuditProxy {
  url: string
  close(): Promise<void>
}

export interface AuditProxyOptions {
  protocol: AuditProtocol
  upstream: string
  events: EventLog
  observer: AuditObserver
  /** gRPC: the services, so unary calls can be faulted and their messages read. */
  catalog?: ProtoCatalog
  /** Framed TCP: how frames are cut, and where the route, request key and pairing id sit in them. */
  tcp?: TcpAuditOptions
}

export interface TcpAuditOptions extends TcpFramePaths {
  framing: Framing
}

/** JSON-RPC replies kept as evidence up to this size: the audit reads error objects from them. */
const JSONRPC_EVIDENCE_BYTES = 64 * 1024

/** Start the protocol's ordinary fault proxy on 127.0.0.1 (a free port) with the observer choosing every fault. */
export async function startAuditProxy(options: AuditProxyOptions): Promise<AuditProxy> {
  const {protocol, upstream, events, observer} = options
  const base = {upstream, events, name: 'audit'}
  let proxy: HttpFaultProxy | GrpcFaultProxy | TcpFaultProxy
  if (protocol === 'http') proxy = new HttpFaultProxy({...base, rules: new RuleSet(0), intercept: httpIntake(observer)})
  else if (protocol === 'jsonrpc') proxy = createJsonRpcFaultProxy({...base, rules: new JsonRpcIntakeRules(observer), jsonrpc: {}, captureBytes: JSONRPC_EVIDENCE_BYTES})
  else if (protocol === 'tcp') {
    const tcp = options.tcp
    if (!tcp) throw new TypeError('a framed-TCP audit needs its framing')
    // Reply frames are kept whole as evidence: the observer reads the server's error frames from them.
    proxy = new TcpFaultProxy({...base, framing: tcp.framing, replyId: tcp.replyId, requestId: tcp.requestId, captureBytes: tcp.framing.maxFrameBytes, rules: new IntakeRules(observer, tcpAttempt(tcp))})
  } else {
    const catalog = options.catalog
    if (!catalog) throw new TypeError('a gRPC audit needs the proto catalog')
    proxy = new GrpcFaultProxy({...base, catalog, rules: new IntakeRules(observer, grpcAttempt(catalog))})
  }
  await proxy.start()
  return {url: proxy.url, close: () => proxy.close()}
}
