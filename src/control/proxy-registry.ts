import type {ToxicSpec} from '../proxy/l4/toxic.js'
import type {EventLog} from '../events/event-log.js'
import {ApiError, apiErrors} from './api-error.js'
import type {ProtocolSupport, ProxyEngine} from './proxy-engine.js'
import {parseProxyInput, parseProxyPatch, type ProxyInput} from './proxy-input.js'
import {httpProtocol} from './http-protocol.js'
import {tcpProtocol} from './tcp-protocol.js'
import {ToxicCatalog} from './toxic-catalog.js'

/** A proxy as the API shows it. `protocol` is faultline's addition. */
export interface ProxyJson {
  name: string
  listen: string
  upstream: string
  enabled: boolean
  protocol: string
  toxics: ToxicJson[]
}

/** A toxic as the API shows it (Toxiproxy's field order). */
export interface ToxicJson {
  attributes: Record<string, number>
  name: string
  type: string
  stream: 'upstream' | 'downstream'
  toxicity: number
}

interface ProxyRecord {
  name: string
  protocol: string
  /** The listen address exactly as the client gave it (for populate's "identical" test). */
  givenListen: string
  upstream: string
  enabled: boolean
  engine: ProxyEngine
  toxics: ToxicSpec[]
}

export interface ProxyRegistryOptions {
  events: EventLog
  /** Run seed; each proxy's toxic decisions derive from it and the proxy's name. */
  seed: number
}

function toxicJson(spec: ToxicSpec): ToxicJson {
  return {
    attributes: {...spec.attributes},
    name: spec.name,
    type: spec.type,
    stream: spec.stream,
    toxicity: spec.toxicity,
  }
}

/**
 * The named proxies of one faultline process and their toxics: what the admin API serves,
 * usable directly from tests and commands. Every mutating call is serialised, so two
 * concurrent creates of one name cannot both bind. Failures are `ApiError`s carrying
 * Toxiproxy's status and message.
 */
export class ProxyRegistry {
  private readonly proxies = new Map<string, ProxyRecord>()
  private readonly protocols = new Map<string, {support: ProtocolSupport; catalog: ToxicCatalog}>()
  private queue: Promise<unknown> = Promise.resolve()
  private readonly events: EventLog
  readonly seed: number

  constructor(options: ProxyRegistryOptions) {
    this.events = options.events
    this.seed = options.seed
    this.registerProtocol(tcpProtocol)
    this.registerProtocol(httpProtocol)
  }

  /**
   * The extension point for other proxy kinds (the L7 `http` engine and its toxic types).
   * Registering a protocol again replaces it.
   */
  registerProtocol(support: ProtocolSupport): void {
    this.protocols.set(support.protocol, {support, catalog: new ToxicCatalog(support.toxicTypes)})
  }

  get protocolNames(): string[] {
    return [...this.protocols.keys()]
  }

  private serial<T>(task: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }

  private record(name: string): ProxyRecord {
    const record = this.proxies.get(name)
    if (!record) throw apiErrors.proxyNotFound()
    return record
  }

  private protocol(name: string): {support: ProtocolSupport; catalog: ToxicCatalog} {
    const protocol = this.protocols.get(name)
    if (!protocol) throw apiErrors.invalidProtocol(name, this.protocolNames)
    return protocol
  }

  private toJson(record: ProxyRecord): ProxyJson {
    return {
      name: record.name,
      listen: record.engine.listen,
      upstream: record.upstream,
      enabled: record.enabled,
      protocol: record.protocol,
      toxics: this.orderedToxics(record).map(toxicJson),
    }
  }

  /** Upstream toxics first, then downstream, each in insertion order. */
  private orderedToxics(record: ProxyRecord): ToxicSpec[] {
    return [
      ...record.toxics.filter((t) => t.stream === 'upstream'),
      ...record.toxics.filter((t) => t.stream === 'downstream'),
    ]
  }

  list(): Record<string, ProxyJson> {
    const out: Record<string, ProxyJson> = {}
    for (const record of this.proxies.values()) out[record.name] = this.toJson(record)
    return out
  }

  get(name: string): ProxyJson {
    return this.toJson(this.record(name))
  }

  /** POST /proxies. 409 before binding; an enabled proxy binds at once (500 on failure). */
  create(body: unknown): Promise<ProxyJson> {
    return this.serial(async () => {
      const input = parseProxyInput(body)
      if (this.proxies.has(input.name)) throw apiErrors.proxyExists()
      return this.toJson(await this.add(input))
    })
  }

  private async add(input: ProxyInput): Promise<ProxyRecord> {
    const {support} = this.protocol(input.protocol)
    const engine = support.createEngine({
      name: input.name,
      listen: input.listen,
      upstream: input.upstream,
      seed: this.seed,
      events: this.events,
    })
    if (input.enabled) {
      try {
        await engine.start()
      } catch (err) {
        throw apiErrors.system(err)
      }
    }
    const record: ProxyRecord = {
      name: input.name,
      protocol: input.protocol,
      givenListen: input.listen,
      upstream: input.upstream,
      enabled: input.enabled,
      engine,
      toxics: [],
    }
    this.proxies.set(input.name, record)
    return record
  }

  /**
   * POST /populate. Every entry is validated first (400, nothing created). An identical
   * existing proxy (same listen, upstream and protocol) is kept with its toxics; a changed
   * one is replaced. A bind failure stops there: 500, with the proxies handled so far.
   */
  populate(body: unknown): Promise<ProxyJson[]> {
    return this.serial(async () => {
      if (!Array.isArray(body)) throw apiErrors.badRequestBody('expected a JSON array of proxies')
      const inputs = body.map((entry, i) => parseProxyInput(entry, ` at proxy ${i + 1}`))
      for (const input of inputs) this.protocol(input.protocol)
      const done: ProxyJson[] = []
      for (const input of inputs) {
        const existing = this.proxies.get(input.name)
        if (existing && this.identical(existing, input)) {
          done.push(this.toJson(existing))
          continue
        }
        if (existing) {
          this.proxies.delete(existing.name)
          await existing.engine.stop()
        }
        try {
          done.push(this.toJson(await this.add(input)))
        } catch (err) {
          const apiError = err instanceof ApiError ? err : apiErrors.system(err)
          throw new ApiError(apiError.status, apiError.message, {proxies: done})
        }
      }
      return done
    })
  }

  private identical(record: ProxyRecord, input: ProxyInput): boolean {
    return (
      record.upstream === input.upstream &&
      record.protocol === input.protocol &&
      (record.engine.listen === input.listen || record.givenListen === input.listen)
    )
  }

  /**
   * POST/PATCH /proxies/{name}: a partial body; the name is ignored. A different listen or
   * upstream restarts the proxy (live connections close); enabled false/true is "down"/"up".
   */
  update(name: string, body: unknown): Promise<ProxyJson> {
    return this.serial(async () => {
      const record = this.record(name)
      const patch = parseProxyPatch(body)
      const engine = record.engine
      const listen = patch.listen ?? engine.listen
      const upstream = patch.upstream ?? record.upstream
      const enabled = patch.enabled ?? record.enabled
      if (listen !== engine.listen || upstream !== record.upstream) {
        await engine.stop()
        record.enabled = false
        engine.retarget(listen, upstream)
        record.givenListen = listen
        record.upstream = upstream
      }
      if (enabled && !engine.running) {
        try {
          await engine.start()
        } catch (err) {
          throw apiErrors.system(err)
        }
      } else if (!enabled && engine.running) {
        await engine.stop()
      }
      record.enabled = enabled
      return this.toJson(record)
    })
  }

  /** DELETE /proxies/{name}: stop it and forget it. */
  remove(name: string): Promise<void> {
    return this.serial(async () => {
      const record = this.record(name)
      this.proxies.delete(name)
      await record.engine.stop()
    })
  }

  /** POST /reset: enable every proxy and remove every toxic. */
  reset(): Promise<void> {
    return this.serial(async () => {
      for (const record of this.proxies.values()) {
        if (!record.engine.running) {
          try {
            await record.engine.start()
          } catch (err) {
            throw apiErrors.system(err)
          }
        }
        record.enabled = true
        for (const toxic of record.toxics) record.engine.removeToxic(toxic.name)
        record.toxics = []
      }
    })
  }

  toxics(proxy: string): ToxicJson[] {
    return this.orderedToxics(this.record(proxy)).map(toxicJson)
  }

  toxic(proxy: string, name: string): ToxicJson {
    const toxic = this.record(proxy).toxics.find((t) => t.name === name)
    if (!toxic) throw apiErrors.toxicNotFound()
    return toxicJson(toxic)
  }

  /** POST /proxies/{p}/toxics. Starts on every live connection at once. */
  addToxic(proxy: string, body: unknown): Promise<ToxicJson> {
    return this.serial(() => {
      const record = this.record(proxy)
      const {catalog} = this.protocol(record.protocol)
      const spec = catalog.parseCreate(body, (name) => record.toxics.some((t) => t.name === name))
      record.engine.addToxic(spec)
      record.toxics.push(spec)
      return toxicJson(spec)
    })
  }

  /** POST/PATCH /proxies/{p}/toxics/{t}: attributes merged, toxicity replaced. */
  updateToxic(proxy: string, name: string, body: unknown): Promise<ToxicJson> {
    return this.serial(() => {
      const record = this.record(proxy)
      const index = record.toxics.findIndex((t) => t.name === name)
      const current = record.toxics[index]
      if (!current) throw apiErrors.toxicNotFound()
      const spec = this.protocol(record.protocol).catalog.parseUpdate(current, body)
      record.engine.updateToxic(spec)
      record.toxics[index] = spec
      return toxicJson(spec)
    })
  }

  removeToxic(proxy: string, name: string): Promise<void> {
    return this.serial(() => {
      const record = this.record(proxy)
      if (!record.toxics.some((t) => t.name === name)) throw apiErrors.toxicNotFound()
      record.engine.removeToxic(name)
      record.toxics = record.toxics.filter((t) => t.name !== name)
    })
  }

  /** Stop every proxy (listeners and live connections). The registry stays usable. */
  close(): Promise<void> {
    return this.serial(async () => {
      await Promise.all([...this.proxies.values()].map((r) => r.engine.stop()))
    })
  }
}
