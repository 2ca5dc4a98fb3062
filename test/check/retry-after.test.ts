import {describe, expect, it} from 'vitest'
import type {Transport, TransportReply} from '../../src/check/protocol.js'
import {retryAfterMs} from '../../src/check/retry-after.js'
import {runOperation} from '../../src/check/retrying-client.js'
import {MAX_TIMER_MS} from '../../src/timer-limit.js'
import type {ClientPolicy} from '../../src/scenario/types.js'

describe('retryAfterMs', () => {
  const now = Date.parse('Mon, 30 Nov 2026 09:00:00 GMT')

  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('2', now)).toBe(2000)
    expect(retryAfterMs(' 0 ', now)).toBe(0)
    expect(retryAfterMs('Mon, 30 Nov 2026 09:00:05 GMT', now)).toBe(5000)
    expect(retryAfterMs(['3', '9'], now)).toBe(3000)
  })

  it('a past date means now; no header or a bad one means nothing', () => {
    expect(retryAfterMs('Sun, 29 Nov 2026 09:00:00 GMT', now)).toBe(0)
    expect(retryAfterMs(undefined, now)).toBeUndefined()
    expect(retryAfterMs('soon', now)).toBeUndefined()
    expect(retryAfterMs('-1', now)).toBeUndefined()
    expect(retryAfterMs('2026-11-30', now)).toBeUndefined()
  })

  it('is capped at the longest a timer can wait', () => {
    expect(retryAfterMs('99999999999', now)).toBe(MAX_TIMER_MS)
  })
})

/** A transport that answers from a script and notes when each attempt started. */
function scripted(replies: TransportReply[]): Transport & {started: number[]; ended: number[]} {
  const started: number[] = []
  const ended: number[] = []
  return {
    started,
    ended,
    async send() {
      started.push(performance.now())
      const reply = replies.shift() as TransportReply
      ended.push(performance.now())
      return reply
    },
    close: async () => undefined,
  }
}

const POLICY: ClientPolicy = {timeout: 5000, attempts: 2, backoff: 0, backoffFactor: 1, retryOn: [503]}
const BUSY: TransportReply = {status: 503, classification: 'retry', body: null, notFound: false}
const OK: TransportReply = {status: 200, classification: 'ok', body: null, notFound: false}

describe('the built-in client and Retry-After', () => {
  it('waits what the server asked before the next attempt, instead of the backoff', async () => {
    const transport = scripted([{...BUSY, retryAfterMs: 200}, OK])
    const result = await runOperation({transport, policy: POLICY, render: () => ({}), trial: 't'})
    expect(result.outcome).toBe('ok')
    expect((transport.started[1] as number) - (transport.ended[0] as number)).toBeGreaterThanOrEqual(199)
  })

  it('does not wait past its last attempt, however long the server asks', async () => {
    const transport = scripted([BUSY, {...BUSY, retryAfterMs: MAX_TIMER_MS}])
    const result = await runOperation({transport, policy: POLICY, render: () => ({}), trial: 't', signal: AbortSignal.timeout(20_000)})
    expect(result.attempts).toHaveLength(2)
    expect(result.outcome).toBe('indeterminate')
  })
})
