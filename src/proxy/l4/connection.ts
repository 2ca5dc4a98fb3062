import type {Socket} from 'node:net'
import {deriveRandom} from '../../random.js'
import type {EventLog} from '../../events/event-log.js'
import {now} from '../../events/event-log.js'
import {Link} from './link.js'
import type {Stream, ToxicDefinition, ToxicSpec} from './toxic.js'

export interface ConnectionOptions {
  id: string
  /** Sequence number of this connection within its proxy: part of its random path. */
  seq: number
  proxy: string
  seed: number
  events: EventLog
  client: Socket
  server: Socket
  lookup(type: string): ToxicDefinition
  onClosed(connection: Connection): void
}

/** How long a toxic-initiated close waits for pending writes before destroying a socket. */
const CLOSE_GRACE_MS = 5_000

/**
 * One accepted client connection and its dialled upstream socket: two links (upstream =
 * client → server, downstream = server → client), timestamps, byte counts, and the toxic
 * decisions drawn for it from the proxy's seed.
 */
export class Connection {
  readonly id: string
  readonly openedAt = now()
  closedAt: number | undefined
  readonly upstream: Link
  readonly downstream: Link
  private readonly generations = new Map<string, number>()
  private closing = false
  private graceTimer: NodeJS.Timeout | undefined
  private socketsOpen = 2
  private readonly opts: ConnectionOptions

  constructor(opts: ConnectionOptions) {
    this.opts = opts
    this.id = opts.id
    const hooks = (stream: Stream) => ({
      closeConnection: () => this.close(`toxic on ${stream}`),
      reset: () => this.reset(),
      started: (spec: ToxicSpec, applied: boolean) =>
        opts.events.record({
          type: 'toxic',
          proxy: opts.proxy,
          conn: this.id,
          fault: spec.name,
          phase: spec.stream,
          detail: {toxic: spec.type, applied, toxicity: spec.toxicity, attributes: spec.attributes},
        }),
      fired: (spec: ToxicSpec, what: string, detail?: Record<string, unknown>) =>
        opts.events.record({
          type: 'fault',
          proxy: opts.proxy,
          conn: this.id,
          fault: spec.type,
          phase: spec.stream,
          detail: {toxic: spec.name, action: what, ...detail},
        }),
    })
    this.upstream = new Link('upstream', opts.client, opts.server, hooks('upstream'))
    this.downstream = new Link('downstream', opts.server, opts.client, hooks('downstream'))
    opts.events.record({
      type: 'connection-open',
      proxy: opts.proxy,
      conn: this.id,
      detail: {client: `${opts.client.remoteAddress}:${opts.client.remotePort}`},
    })
    for (const [side, socket] of [
      ['client', opts.client],
      ['server', opts.server],
    ] as const) {
      socket.on('error', (err: NodeJS.ErrnoException) => {
        opts.events.record({
          type: 'error',
          proxy: opts.proxy,
          conn: this.id,
          detail: {side, code: err.code, message: err.message},
        })
      })
      socket.on('close', () => this.onSocketClose())
    }
  }

  /** Start both links with the proxy's current toxics; resumes the paused client socket. */
  start(toxics: readonly ToxicSpec[]): void {
    for (const spec of toxics) this.addToxic(spec)
    this.upstream.start()
    this.downstream.start()
    this.opts.client.resume()
  }

  private link(stream: Stream): Link {
    return stream === 'upstream' ? this.upstream : this.downstream
  }

  private random(spec: ToxicSpec) {
    const generation = (this.generations.get(spec.name) ?? 0) + 1
    this.generations.set(spec.name, generation)
    return deriveRandom(this.opts.seed, this.opts.proxy, this.opts.seq, spec.stream, spec.name, generation)
  }

  addToxic(spec: ToxicSpec): void {
    this.link(spec.stream).add(spec, this.opts.lookup(spec.type), this.random(spec))
  }

  updateToxic(spec: ToxicSpec): void {
    this.link(spec.stream).replace(spec, this.opts.lookup(spec.type), this.random(spec))
  }

  removeToxic(spec: ToxicSpec): void {
    this.link(spec.stream).remove(spec.name)
  }

  /** Close both sockets gracefully: pending writes go out, then FIN, then the sockets close. */
  close(reason: string): void {
    if (this.closing) return
    this.closing = true
    this.upstream.stop()
    this.downstream.stop()
    this.opts.events.record({
      type: 'fault',
      proxy: this.opts.proxy,
      conn: this.id,
      fault: 'close',
      detail: {reason},
    })
    for (const socket of [this.opts.client, this.opts.server]) {
      if (socket.destroyed) continue
      socket.end(() => socket.destroy())
    }
    this.graceTimer = setTimeout(() => this.destroy(), CLOSE_GRACE_MS)
  }

  /** Reset both sockets (RST): the peers see ECONNRESET. */
  reset(): void {
    this.closing = true
    this.upstream.stop()
    this.downstream.stop()
    for (const socket of [this.opts.client, this.opts.server]) {
      if (!socket.destroyed) socket.resetAndDestroy()
    }
  }

  /** Close both sockets now. */
  destroy(): void {
    this.closing = true
    this.upstream.stop()
    this.downstream.stop()
    this.opts.client.destroy()
    this.opts.server.destroy()
  }

  private onSocketClose(): void {
    this.socketsOpen -= 1
    const {client, server} = this.opts
    // One side errored or was destroyed: the other has nothing left to talk to.
    if (this.socketsOpen === 1) {
      const other = client.destroyed ? server : client
      const gone = client.destroyed ? client : server
      if (gone.errored || !gone.readableEnded || !gone.writableFinished) other.destroy()
      return
    }
    if (this.socketsOpen === 0) {
      if (this.graceTimer !== undefined) clearTimeout(this.graceTimer)
      this.graceTimer = undefined
      this.upstream.stop()
      this.downstream.stop()
      this.closedAt = now()
      this.opts.events.record({
        type: 'connection-close',
        proxy: this.opts.proxy,
        conn: this.id,
        detail: {
          upstreamBytes: this.upstream.bytesOut,
          downstreamBytes: this.downstream.bytesOut,
          durationMs: Math.round((this.closedAt - this.openedAt) * 1000) / 1000,
        },
      })
      this.opts.onClosed(this)
    }
  }
}
