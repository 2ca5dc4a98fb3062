import {ControlServer} from '../../src/control/server.js'
import {ProxyRegistry} from '../../src/control/proxy-registry.js'
import {EventLog} from '../../src/events/event-log.js'
import type {Resources} from './net.js'

export interface Api {
  base: string
  registry: ProxyRegistry
  events: EventLog
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{status: number; headers: Headers; text: string; json: () => unknown}>
}

/** A control server on a free port over a fresh registry, closed by `resources`. */
export async function startApi(resources: Resources): Promise<Api> {
  const events = new EventLog()
  const registry = new ProxyRegistry({events, seed: 5})
  const server = new ControlServer({registry, port: 0, version: 'test-1'})
  const address = await server.listen()
  resources.add(async () => {
    await server.close()
    await registry.close()
  })
  const base = `http://${address}`
  return {
    base,
    registry,
    events,
    async call(method, path, body, headers = {}) {
      const res = await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      })
      const text = await res.text()
      return {status: res.status, headers: res.headers, text, json: () => JSON.parse(text)}
    },
  }
}
