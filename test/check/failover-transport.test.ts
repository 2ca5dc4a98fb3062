import {describe, expect, it} from 'vitest'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {FailoverTransport} from '../../src/check/failover-transport.js'
import type {Transport, TransportReply} from '../../src/check/protocol.js'
import {runOperation} from '../../src/check/retrying-client.js'
import type {ClientPolicy} from '../../src/scenario/types.js'

const POLICY: ClientPolicy = {timeout: 1000, attempts: 4, backoff: 0, backoffFactor: 1, retryOn: [503]}

/** A replica's transport that answers each send with the next scripted result. */
function scripted(name: string, script: Array<'reset' | number>, sent: string[]): Transport {
  return {
    async send(): Promise<TransportReply> {
      sent.push(name)
      const next = script.shift()
      if (next === undefined || next === 'reset') throw Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'})
      // The protocol adapter marks a reply that fails over (client.failoverOn); here 503 does.
      return {status: next, classification: next === 503 ? 'retry' : next < 300 ? 'ok' : 'failed', body: {}, notFound: false, failover: next === 503 ? '503' : undefined}
    },
    close: async () => undefined,
  }
}

function operation(transport: Transport, trial: string, events: EventLog) {
  return runOperation({transport, policy: POLICY, render: () => ({method: 'POST', path: '/x'}), trial, events})
}

describe('FailoverTransport', () => {
  it('moves to the next replica after a connection error or a retryable status, and names the replica of every attempt', async () => {
    const events = new EventLog()
    const seen: ProxyEvent[] = []
    events.on('event', (e) => seen.push(e))
    const sent: string[] = []
    const client = new FailoverTransport(
      [
        {name: 'primary', transport: scripted('primary', ['reset', 200, 201], sent)},
        {name: 'backup', transport: scripted('backup', [503], sent)},
      ],
      events,
    )
    const first = await operation(client, 't0.1', events)
    expect(first.outcome).toBe('ok')
    // reset on the primary → backup says 503 → round the list to the primary, which answers.
    expect(sent).toEqual(['primary', 'backup', 'primary'])
    expect(seen.filter((e) => e.detail?.action === 'failover').map((e) => [e.attempt, e.proxy])).toEqual([
      [1, 'primary'],
      [2, 'backup'],
      [3, 'primary'],
    ])
    // The reply that failed over says so in the timeline; a connection error says it in its own line.
    expect(seen.filter((e) => e.detail?.action === 'fails-over').map((e) => [e.attempt, e.proxy, e.detail?.message])).toEqual([[2, 'backup', 'attempt 2 got 503 → next replica primary']])
    // A new operation starts at the primary again; a final answer does not fail over.
    sent.length = 0
    const second = await operation(client, 't0.2', events)
    expect(second.outcome).toBe('ok')
    expect(sent).toEqual(['primary'])
  })

  it('keeps one position per operation, so concurrent trials do not move each other', async () => {
    const events = new EventLog()
    const sent: string[] = []
    const client = new FailoverTransport(
      [
        {name: 'primary', transport: scripted('primary', ['reset', 200], sent)},
        {name: 'backup', transport: scripted('backup', [200], sent)},
      ],
      events,
    )
    await client.send({}, {trial: 'a', attempt: 1}, POLICY, AbortSignal.timeout(1000)).catch(() => undefined)
    const b = await client.send({}, {trial: 'b', attempt: 1}, POLICY, AbortSignal.timeout(1000))
    const a = await client.send({}, {trial: 'a', attempt: 2}, POLICY, AbortSignal.timeout(1000))
    expect([a.status, b.status]).toEqual([200, 200])
    expect(sent).toEqual(['primary', 'primary', 'backup'])
  })
})
