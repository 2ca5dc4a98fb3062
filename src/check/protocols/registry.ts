import type {ProtocolAdapter} from '../protocol.js'
import {grpcProtocol} from './grpc-protocol.js'
import {httpProtocol} from './http-protocol.js'
import {jsonRpcProtocol} from './jsonrpc-protocol.js'
import {tcpProtocol} from './tcp-protocol.js'

/** Every protocol `check` can judge: one line each. */
export const PROTOCOLS: ReadonlyMap<string, ProtocolAdapter> = new Map([
  [httpProtocol.protocol, httpProtocol],
  [jsonRpcProtocol.protocol, jsonRpcProtocol],
  [tcpProtocol.protocol, tcpProtocol],
  [grpcProtocol.protocol, grpcProtocol],
])
