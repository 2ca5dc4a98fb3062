import {L4Proxy} from '../proxy/l4/l4-proxy.js'
import {L4_TOXICS} from '../proxy/l4/toxics/registry.js'
import type {ProtocolSupport} from './proxy-engine.js'

/** The built-in `tcp` protocol: the L4 engine with the L4 toxics. */
export const tcpProtocol: ProtocolSupport = {
  protocol: 'tcp',
  createEngine: (options) => new L4Proxy({...options, toxicTypes: L4_TOXICS}),
  toxicTypes: [...L4_TOXICS.values()],
}
