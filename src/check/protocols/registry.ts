import type {ProtocolAdapter} from '../protocol.js'
import {grpcProtocol} from './grpc-protocol.js'
import {httpProtocol} from './http-protocol.js'

/** Every protocol `check` can judge: one line each. */
export const PROTOCOLS: ReadonlyMap<string, ProtocolAdapter> = new Map([
  [httpProtocol.protocol, httpProtocol],
  [grpcProtocol.protocol, grpcProtocol],
])
