import type {AddressInfo, Server, Socket} from 'node:net'
import type {EventLog} from '../events/event-log.js'
import {EnvironmentError} from '../errors.js'
import type {Cancelable} from './pending-sleep.js'

/**
 * Bind a proxy's listener. A taken port is an environment failure (exit 3) that says what
 * to do; any other bind failure keeps the system's reason. Binds to loopback by default:
 * callers pass the host the user asked for.
 */
function listenOn(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening)
      reject(
        err.code === 'EADDRINUSE'
          ? new EnvironmentError('FL_PORT_TAKEN', `cannot listen on ${host}:${port}: the port is already in use; choose another with --listen`)
          : new EnvironmentError('FL_LISTEN', `cannot listen on ${host}:${port}: ${err.message}`),
      )
    }
    const onListening = () => {
      server.off('error', onError)
      resolve(server.address() as AddressInfo)
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

export interface ListenerOptions {
  /** URL scheme of the proxy's address: `http` (HTTP/1.1, h2c) or `tcp`. */
  scheme: 'http' | 'tcp'
  /** Default 127.0.0.1. */
  host?: string
  /** 0 (the default) picks a free port. */
  port?: number
  name?: string
  events: EventLog
  /** The server under test, as the user wrote it (recorded in the 'listen' event). */
  upstream: string
}

export interface ListenAddress {
  host: string
  port: number
  url: string
}

/**
 * The listening side every L7 proxy shares: it binds, knows its address, records the
 * 'listen' event, and closes. What a proxy does with a connection stays with the proxy.
 */
export class ProxyListener {
  private address?: AddressInfo
  private open = 0

  constructor(
    private readonly server: Server,
    private readonly options: ListenerOptions,
  ) {
    // First in line, so a closed connection is counted down before the proxy records its close.
    server.prependListener('connection', (socket: Socket) => {
      this.open += 1
      socket.once('close', () => (this.open -= 1))
    })
  }

  /** Client connections open right now. */
  get connections(): number {
    return this.open
  }

  get url(): string {
    if (!this.address) throw new Error('proxy not started')
    return `${this.options.scheme}://${this.address.address}:${this.address.port}`
  }

  get port(): number {
    if (!this.address) throw new Error('proxy not started')
    return this.address.port
  }

  /** Bind, then record a 'listen' event with the url, the upstream and `detail`. */
  async start(detail: Record<string, unknown> = {}): Promise<ListenAddress> {
    const {host = '127.0.0.1', port = 0, name, events, upstream} = this.options
    this.address = await listenOn(this.server, host, port)
    events.record({type: 'listen', proxy: name, detail: {url: this.url, upstream, ...detail}})
    return {host: this.address.address, port: this.address.port, url: this.url}
  }

  /**
   * Cancel every held request and timer in `pending`, stop accepting, close the open
   * connections (`closeConnections`, the proxy's own way), and wait until the server closed.
   */
  async close(pending: Set<Cancelable>, closeConnections: () => void): Promise<void> {
    for (const entry of [...pending]) entry.cancel()
    pending.clear()
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    closeConnections()
    await closed
  }
}

/** What every L7 fault proxy shows of its listener; each proxy adds how it starts and closes. */
export abstract class ListeningProxy {
  protected constructor(protected readonly listener: ProxyListener) {}

  get url(): string {
    return this.listener.url
  }

  get port(): number {
    return this.listener.port
  }

  /** Client connections open right now. */
  get connections(): number {
    return this.listener.connections
  }
}
