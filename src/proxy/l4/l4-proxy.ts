import net from 'node:net'
import type {EventLog} from '../../events/event-log.js'
import {bindAddress, formatAddress, splitHostPort} from './address.js'
import {Connection} from './connection.js'
import type {ToxicDefinition, ToxicSpec} from './toxic.js'
import {L4_TOXICS} from './toxics/registry.js'

export interface L4ProxyOptions {
  name: string
  /** `host:port` to listen on; port 0 picks a free port. */
  listen: string
  /** `host:port` dialled once per accepted client. */
  upstream: string
  /** Run seed: toxicity rolls, jitter and slice sizes derive from it. */
  seed: number
  events: EventLog
  /** Toxic implementations by type; defaults to the L4 registry. */
  toxicTypes?: ReadonlyMap<string, ToxicDefinition>
}

/**
 * A TCP proxy with Toxiproxy's semantics: one listener, one Connection per accepted client,
 * a chain of toxics per direction. It never throws from socket events; problems become
 * 'error' events. `start` and `stop` may be called repeatedly (enable / disable = "down").
 */
export class L4Proxy {
  readonly name: string
  private listenAddress: string
  private upstreamAddress: string
  private readonly seed: number
  private readonly events: EventLog
  private readonly toxicTypes: ReadonlyMap<string, ToxicDefinition>
  private server: net.Server | undefined
  private readonly live = new Set<Connection>()
  private toxicList: ToxicSpec[] = []
  private seq = 0

  constructor(opts: L4ProxyOptions) {
    this.name = opts.name
    this.listenAddress = opts.listen
    this.upstreamAddress = opts.upstream
    this.seed = opts.seed
    this.events = opts.events
    this.toxicTypes = opts.toxicTypes ?? L4_TOXICS
  }

  /** The bound address (`127.0.0.1:41234`) while running, else the address as given. */
  get listen(): string {
    return this.listenAddress
  }

  get upstream(): string {
    return this.upstreamAddress
  }

  get running(): boolean {
    return this.server !== undefined
  }

  /** Live connections (read only). */
  get connections(): ReadonlySet<Connection> {
    return this.live
  }

  /** The current toxics, in the order they were added. */
  get toxics(): readonly ToxicSpec[] {
    return this.toxicList
  }

  /** Change listen and upstream; only while stopped. */
  retarget(listen: string, upstream: string): void {
    if (this.running) throw new Error(`proxy ${this.name} must be stopped before it is retargeted`)
    this.listenAddress = listen
    this.upstreamAddress = upstream
  }

  /** Bind the listener. Rejects with the system error (EADDRINUSE…) when it cannot. */
  async start(): Promise<void> {
    if (this.server) return
    const {host, port} = bindAddress(this.listenAddress)
    splitHostPort(this.upstreamAddress) // fail now rather than per client
    const server = net.createServer({allowHalfOpen: true, pauseOnConnect: true, noDelay: true}, (client) =>
      this.accept(client),
    )
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({host, port}, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', (err: NodeJS.ErrnoException) =>
      this.events.record({type: 'error', proxy: this.name, detail: {code: err.code, message: err.message}}),
    )
    this.server = server
    this.listenAddress = formatAddress(server.address())
    this.events.record({
      type: 'listen',
      proxy: this.name,
      detail: {listen: this.listenAddress, upstream: this.upstreamAddress},
    })
  }

  /** Close the listener and every live connection. */
  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const connection of this.live) connection.destroy()
    await closed
  }

  addToxic(spec: ToxicSpec): void {
    this.definition(spec.type)
    this.toxicList = [...this.toxicList, spec]
    for (const connection of this.live) connection.addToxic(spec)
  }

  /** Replace the toxic of the same name (attributes or toxicity changed) on every live connection. */
  updateToxic(spec: ToxicSpec): void {
    this.definition(spec.type)
    this.toxicList = this.toxicList.map((t) => (t.name === spec.name ? spec : t))
    for (const connection of this.live) connection.updateToxic(spec)
  }

  removeToxic(name: string): void {
    const spec = this.toxicList.find((t) => t.name === name)
    if (!spec) return
    this.toxicList = this.toxicList.filter((t) => t !== spec)
    for (const connection of this.live) connection.removeToxic(spec)
  }

  private definition(type: string): ToxicDefinition {
    const definition = this.toxicTypes.get(type)
    if (!definition) throw new Error(`invalid toxic type: ${type}`)
    return definition
  }

  private accept(client: net.Socket): void {
    this.seq += 1
    let target
    try {
      target = splitHostPort(this.upstreamAddress)
    } catch (err) {
      this.events.record({type: 'error', proxy: this.name, detail: {message: (err as Error).message}})
      client.destroy()
      return
    }
    const server = net.connect({host: target.host, port: target.port, allowHalfOpen: true, noDelay: true})
    const connection = new Connection({
      id: this.events.nextId('c'),
      seq: this.seq,
      proxy: this.name,
      seed: this.seed,
      events: this.events,
      client,
      server,
      lookup: (type) => this.definition(type),
      onClosed: (c) => this.live.delete(c),
    })
    this.live.add(connection)
    server.once('connect', () => {
      if (this.live.has(connection)) connection.start(this.toxicList)
    })
  }
}
