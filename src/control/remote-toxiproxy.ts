import {Toxiproxy, type Proxy, type Toxic} from 'toxiproxy-node-client'
import {EnvironmentError} from '../errors.js'

/** A proxy on a remote Toxiproxy-API server (a real Toxiproxy or another faultline). */
export interface RemoteProxy {
  name: string
  listen: string
  upstream: string
  enabled: boolean
}

export interface RemoteToxic {
  name: string
  type: string
  stream: 'upstream' | 'downstream'
  toxicity: number
  attributes: Record<string, number>
}

export interface RemoteToxicInput {
  type: string
  name?: string
  stream?: 'upstream' | 'downstream'
  toxicity?: number
  attributes?: Record<string, number>
}

function plainProxy(proxy: Proxy): RemoteProxy {
  return {name: proxy.name, listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled}
}

function plainToxic(toxic: Toxic<unknown>): RemoteToxic {
  return {
    name: toxic.name,
    type: toxic.type,
    stream: toxic.stream,
    toxicity: toxic.toxicity,
    attributes: toxic.attributes as Record<string, number>,
  }
}

/**
 * Drives an external Toxiproxy-API server through toxiproxy-node-client 4.1.0. Every
 * failure becomes an EnvironmentError (exit 3) that says which server, which call and why.
 */
export class RemoteToxiproxy {
  private readonly client: Toxiproxy

  /** `url` like `http://10.0.0.5:8474`. */
  constructor(readonly url: string) {
    this.client = new Toxiproxy(url.replace(/\/+$/, ''))
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      throw new EnvironmentError(
        'FL_REMOTE_TOXIPROXY',
        `Toxiproxy at ${this.url}: ${what} failed: ${message}`,
        {cause: err},
      )
    }
  }

  version(): Promise<string> {
    return this.call('GET /version', () => this.client.getVersion())
  }

  createProxy(proxy: {
    name: string
    listen: string
    upstream: string
    enabled?: boolean
  }): Promise<RemoteProxy> {
    return this.call(`create proxy ${proxy.name}`, async () =>
      plainProxy(await this.client.createProxy(proxy)),
    )
  }

  /** Create or replace many proxies at once (identical ones are kept). */
  populate(
    proxies: Array<{name: string; listen: string; upstream: string; enabled?: boolean}>,
  ): Promise<RemoteProxy[]> {
    return this.call('populate', async () =>
      Object.values(await this.client.populate(proxies)).map(plainProxy),
    )
  }

  getProxy(name: string): Promise<RemoteProxy> {
    return this.call(`get proxy ${name}`, async () => plainProxy(await this.client.get(name)))
  }

  listProxies(): Promise<RemoteProxy[]> {
    return this.call('list proxies', async () => Object.values(await this.client.getAll()).map(plainProxy))
  }

  /** Change listen, upstream or enabled (`enabled: false` is "down"). */
  updateProxy(
    name: string,
    change: {listen?: string; upstream?: string; enabled?: boolean},
  ): Promise<RemoteProxy> {
    return this.call(`update proxy ${name}`, async () => {
      const proxy = await this.client.get(name)
      const body = {listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled, ...change}
      return plainProxy(await proxy.update(body))
    })
  }

  removeProxy(name: string): Promise<void> {
    return this.call(`remove proxy ${name}`, async () => (await this.client.get(name)).remove())
  }

  addToxic(proxyName: string, toxic: RemoteToxicInput): Promise<RemoteToxic> {
    return this.call(`add toxic to ${proxyName}`, async () => {
      const proxy = await this.client.get(proxyName)
      const stream = toxic.stream ?? 'downstream'
      const created = await proxy.addToxic({
        name: toxic.name ?? `${toxic.type}_${stream}`,
        type: toxic.type as Toxic<unknown>['type'],
        stream,
        toxicity: toxic.toxicity ?? 1,
        attributes: toxic.attributes ?? {},
      })
      return plainToxic(created)
    })
  }

  getToxic(proxyName: string, toxicName: string): Promise<RemoteToxic> {
    return this.call(`get toxic ${toxicName} of ${proxyName}`, async () =>
      plainToxic(await (await this.client.get(proxyName)).getToxic(toxicName)),
    )
  }

  /** Merge attributes and/or set toxicity on an existing toxic. */
  updateToxic(
    proxyName: string,
    toxicName: string,
    change: {attributes?: Record<string, number>; toxicity?: number},
  ): Promise<RemoteToxic> {
    return this.call(`update toxic ${toxicName} of ${proxyName}`, async () => {
      const toxic = await (await this.client.get(proxyName)).getToxic<Record<string, number>>(toxicName)
      const updated = await toxic.update({
        ...toxic.toJson(),
        attributes: {...toxic.attributes, ...change.attributes},
        toxicity: change.toxicity ?? toxic.toxicity,
      })
      return plainToxic(updated)
    })
  }

  removeToxic(proxyName: string, toxicName: string): Promise<void> {
    return this.call(`remove toxic ${toxicName} of ${proxyName}`, async () =>
      (await (await this.client.get(proxyName)).getToxic(toxicName)).remove(),
    )
  }

  /** Enable every proxy and remove every toxic. */
  reset(): Promise<void> {
    return this.call('reset', () => this.client.reset())
  }
}
