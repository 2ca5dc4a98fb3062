import net from 'node:net'
import {InFlightTracker} from '../in-flight.js'
import {ListeningProxy, ProxyListener, type ListenAddress} from '../listener.js'
import type {FaultProxyOptions} from '../proxy-options.js'
import {FramedLink} from './framed-link.js'
import {describeFraming, type Framing} from './framing.js'
import {parseTcpAddress, type TcpProxyEnv} from './tcp-env.js'

export interface TcpFaultProxyOptions extends FaultProxyOptions {
  /** The server under test: tcp://host:port (or host:port). */
  upstream: string
  framing: Framing
  /**
   * JSONPath of the id field that pairs a reply with its request (same path in both).
   * Without it replies are paired in order, and the proxy keeps that order towards the client.
   */
  replyId?: string
  /** JSONPath of the operation's stable request id inside request frames (for grouping attempts). */
  requestId?: string
  /**
   * Milliseconds a client may take to complete a request frame it has started (default
   * 60 s, as an HTTP server's headers timeout; 0 = no limit). A client that sends part of a
   * frame and stops is closed. A connection with no partial frame is never timed out here:
   * waiting for a held or delayed reply is not idleness.
   */
  frameTimeout?: number
}

export const DEFAULT_FRAME_TIMEOUT = 60_000

/**
 * The L7 proxy for RPC over plain TCP: frames both directions (newline-delimited JSON or
 * length-prefixed), applies at most one fault per request frame as its rules decide, and
 * pairs replies with requests in order or by an id field. Each client connection gets its
 * own upstream connection; duplicates and late copies go on fresh upstream connections so
 * their replies never reach the client. Malformed traffic closes that connection and
 * becomes an 'error' event.
 *
 * This class only accepts connections and hands each to a FramedLink (framed-link.ts);
 * replies are paired in reply-pairing.ts, faults applied in frame-exchange.ts.
 */
export class TcpFaultProxy extends ListeningProxy {
  readonly tracker: InFlightTracker
  private readonly server: net.Server
  private readonly env: TcpProxyEnv

  constructor(private readonly options: TcpFaultProxyOptions) {
    // A client that ends its side is gone (as for HTTP servers): Node then ends ours and closes.
    const server = net.createServer({allowHalfOpen: false, noDelay: true})
    super(new ProxyListener(server, {...options, scheme: 'tcp'}))
    this.server = server
    this.tracker = options.tracker ?? new InFlightTracker()
    this.env = {
      name: options.name,
      upstream: parseTcpAddress(options.upstream),
      events: options.events,
      rules: options.rules,
      tracker: this.tracker,
      hooks: options.hooks ?? {},
      framing: options.framing,
      replyId: options.replyId,
      requestId: options.requestId,
      captureBytes: options.captureBytes ?? 0,
      frameTimeout: options.frameTimeout ?? DEFAULT_FRAME_TIMEOUT,
      pending: new Set(),
      links: new Set(),
      owner: options.owner,
    }
    server.on('connection', (socket) => this.env.links.add(new FramedLink(this.env, socket)))
  }

  start(): Promise<ListenAddress> {
    return this.listener.start({framing: describeFraming(this.options.framing), replyId: this.options.replyId ?? 'in order'})
  }

  /** Stop listening, cancel every held frame and timer, close every connection. */
  close(): Promise<void> {
    return this.listener.close(this.env.pending, () => {
      for (const link of [...this.env.links]) link.destroy()
    })
  }
}
