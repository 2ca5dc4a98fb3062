import {EnvironmentError} from '../errors.js'
import {EventLog} from '../events/event-log.js'
import {newSeed} from '../random.js'
import {ApiError} from './api-error.js'
import {loadProxyConfig} from './config-file.js'
import type {ProtocolSupport} from './proxy-engine.js'
import type {ProxyInput} from './proxy-input.js'
import {ProxyRegistry, type ProxyJson} from './proxy-registry.js'

export interface RunProxiesOptions {
  /** A proxies config file (Toxiproxy's JSON array), or the proxies themselves. */
  config: string | ProxyInput[]
  seed?: number
  events?: EventLog
  /** An existing registry to populate (e.g. the one a ControlServer serves). */
  registry?: ProxyRegistry
  /** Extra protocols (the L7 `http` engine) to register before populating. */
  protocols?: ProtocolSupport[]
}

export interface RunningProxies {
  registry: ProxyRegistry
  events: EventLog
  seed: number
  /** The proxies as started, with their bound listen addresses, in config order. */
  proxies: ProxyJson[]
  /** Stop every proxy and close every live connection. */
  close(): Promise<void>
}

/**
 * Start the proxies of a config (usually the L4 `tcp` ones) without an admin API.
 * A bad file is a UsageError (exit 2); a port that cannot be bound an EnvironmentError (exit 3).
 */
export async function runL4ProxiesFromConfig(options: RunProxiesOptions): Promise<RunningProxies> {
  const inputs = typeof options.config === 'string' ? await loadProxyConfig(options.config) : options.config
  const seed = options.seed ?? newSeed()
  const events = options.events ?? new EventLog()
  const registry = options.registry ?? new ProxyRegistry({events, seed})
  for (const protocol of options.protocols ?? []) registry.registerProtocol(protocol)
  let proxies: ProxyJson[]
  try {
    proxies = await registry.populate(inputs)
  } catch (err) {
    await registry.close()
    if (err instanceof ApiError && err.status === 500)
      throw new EnvironmentError('FL_PROXY_BIND', `cannot start the proxies: ${err.message}`, {cause: err})
    if (err instanceof ApiError) throw new EnvironmentError('FL_PROXY_CONFIG', err.message, {cause: err})
    throw err
  }
  return {registry, events, seed, proxies, close: () => registry.close()}
}
