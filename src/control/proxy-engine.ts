import type {ToxicSpec} from '../proxy/l4/toxic.js'
import type {EventLog} from '../events/event-log.js'
import type {ToxicTypeSpec} from './toxic-catalog.js'

/** What the registry needs of one running proxy, whatever its protocol. L4Proxy is one. */
export interface ProxyEngine {
  /** The bound address while running (or after running); the address as given before. */
  readonly listen: string
  readonly running: boolean
  /** Bind; rejects with the system error when it cannot. */
  start(): Promise<void>
  /** Close the listener and every live connection. */
  stop(): Promise<void>
  /** Change listen and upstream; only called while stopped. */
  retarget(listen: string, upstream: string): void
  addToxic(spec: ToxicSpec): void
  updateToxic(spec: ToxicSpec): void
  removeToxic(name: string): void
}

export interface EngineOptions {
  name: string
  listen: string
  upstream: string
  seed: number
  events: EventLog
}

/**
 * One proxy protocol: how to build its engine and which toxic types its proxies accept.
 * `tcp` (the L4 engine) is built in; the L7 module registers `http` the same way with
 * `ProxyRegistry.registerProtocol`.
 */
export interface ProtocolSupport {
  protocol: string
  createEngine(options: EngineOptions): ProxyEngine
  toxicTypes: readonly ToxicTypeSpec[]
}
