import {afterEach, describe, expect, it} from 'vitest'
import {UNREACHABLE_MESSAGES} from '../../src/proxy/faults/fault-exchange.js'
import type {Unreachable} from '../../src/proxy/proxy-hooks.js'
import {MATRIX_CASES, startHarness, type Harness} from '../helpers/fault-harness.js'

/**
 * A replica's proxy while its server is left down or partitioned off (replica-crash-coordinator.ts
 * says so through the `unreachable` hook): nothing is delivered, whatever the protocol; a client
 * of a server that is down is reset at once, one of a partitioned server is held until it gives up.
 */
const harnesses: Harness[] = []
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close()
})

// The rule's fault never fires: an unreachable server gets nothing, faulted or not.
const HARMLESS = {type: 'delay', phase: 'request', delay: 0} as const

async function start(kase: (typeof MATRIX_CASES)[number], state: Unreachable): Promise<Harness> {
  const h = await startHarness(kase, HARMLESS, {}, {unreachable: () => state})
  harnesses.push(h)
  return h
}

describe('a proxy whose server cannot be reached', () => {
  for (const kase of MATRIX_CASES) {
    it(`${kase}: down — the client's connection is reset at once, nothing delivered`, async () => {
      const h = await start(kase, 'down')
      const got = await h.send(new AbortController().signal)
      expect(got.kind).toBe('error')
      expect(h.events.filter((e) => e.type === 'error').map((e) => e.detail?.message)).toContain(UNREACHABLE_MESSAGES.down)
      expect(h.events.filter((e) => e.type === 'delivery' || e.type === 'fault')).toEqual([])
      expect(h.server.count()).toBe(0)
    })

    it(`${kase}: partitioned — the client is held until it gives up, nothing delivered`, async () => {
      const h = await start(kase, 'partitioned')
      const abort = new AbortController()
      const sent = h.send(abort.signal)
      await h.waitFor((e) => e.type === 'error' && e.detail?.message === UNREACHABLE_MESSAGES.partitioned)
      abort.abort()
      expect((await sent).kind).toBe('error')
      expect(h.events.filter((e) => e.type === 'delivery' || e.type === 'fault')).toEqual([])
      expect(h.server.count()).toBe(0)
    })
  }
})
