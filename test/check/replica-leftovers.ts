import {existsSync} from 'node:fs'
import {connect} from 'node:net'
import {expect} from 'vitest'
import type {ProxyEvent} from '../../src/events/event-log.js'
import {liveGroupMembers} from '../supervisor/helpers.js'

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({port, host: '127.0.0.1'})
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Ports of every replica (from their commands), every replica's proxy and the replication link's proxy (from their listen events). */
export function portsOf(events: readonly ProxyEvent[]): number[] {
  const replicas = events.flatMap((e) => (e.type === 'supervisor' && e.detail?.action === 'started' ? [Number(/--port (\d+)/.exec(String(e.detail.command))?.[1])] : []))
  const proxies = events.flatMap((e) => (e.type === 'listen' && typeof e.detail?.url === 'string' ? [Number(new URL(e.detail.url).port)] : []))
  const links = events.flatMap((e) => (e.type === 'listen' && typeof e.detail?.listen === 'string' ? [Number(e.detail.listen.split(':').at(-1))] : []))
  return [...new Set([...replicas, ...proxies, ...links])]
}

/** After a run: no process of any replica, none of `ports` of them accepting, no run folder. */
export async function expectNothingLeft(events: readonly ProxyEvent[], runDir: string, ports: number): Promise<void> {
  const groups = events.flatMap((e) => (e.type === 'supervisor' && e.detail?.action === 'started' ? [Number(e.detail.pid)] : []))
  expect(groups.length).toBeGreaterThanOrEqual(2)
  for (const pgid of groups) expect(liveGroupMembers(pgid)).toEqual([])
  const found = portsOf(events)
  expect(found.length).toBe(ports)
  for (const port of found) expect(await accepts(port)).toBe(false)
  expect(existsSync(runDir)).toBe(false)
}
