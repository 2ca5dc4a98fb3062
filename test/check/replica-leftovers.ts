import {existsSync, readFileSync} from 'node:fs'
import {expect} from 'vitest'
import type {ProxyEvent} from '../../src/events/event-log.js'
import {liveGroupMembers} from '../supervisor/helpers.js'

/**
 * The local ports some socket listens on (Linux /proc/net/tcp and tcp6, state 0A). Not a
 * connect or bind probe: an outgoing connection of another test may hold a port this run has
 * just freed, which is no leak of this run.
 */
function listeningPorts(): Set<number> {
  const ports = new Set<number>()
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/)
      if (state === '0A' && local !== undefined) ports.add(Number.parseInt(local.split(':')[1] ?? '', 16))
    }
  }
  return ports
}

/** Ports of every replica (from their commands), every replica's proxy and the replication link's proxy (from their listen events). */
export function portsOf(events: readonly ProxyEvent[]): number[] {
  const replicas = events.flatMap((e) => (e.type === 'supervisor' && e.detail?.action === 'started' ? [Number(/--port (\d+)/.exec(String(e.detail.command))?.[1])] : []))
  const proxies = events.flatMap((e) => (e.type === 'listen' && typeof e.detail?.url === 'string' ? [Number(new URL(e.detail.url).port)] : []))
  const links = events.flatMap((e) => (e.type === 'listen' && typeof e.detail?.listen === 'string' ? [Number(e.detail.listen.split(':').at(-1))] : []))
  return [...new Set([...replicas, ...proxies, ...links])]
}

/** After a run: no process of any replica, none of its `ports` ports listening, no run folder. */
export function expectNothingLeft(events: readonly ProxyEvent[], runDir: string, ports: number): void {
  const groups = events.flatMap((e) => (e.type === 'supervisor' && e.detail?.action === 'started' ? [Number(e.detail.pid)] : []))
  expect(groups.length).toBeGreaterThanOrEqual(2)
  for (const pgid of groups) expect(liveGroupMembers(pgid)).toEqual([])
  const found = portsOf(events)
  expect(found.length).toBe(ports)
  const listening = listeningPorts()
  expect(found.filter((port) => listening.has(port))).toEqual([])
  expect(existsSync(runDir)).toBe(false)
}
