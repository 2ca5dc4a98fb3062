import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {auditClient, countingServerForTest, statuses} from './audit-harness.js'

const CLIENT = fileURLToPath(new URL('../../fixtures/clients/undici-retry-agent.mjs', import.meta.url))
/**
 * undici's RetryAgent with its documented defaults (fixtures/clients/undici-retry-agent.mjs):
 * retries idempotent methods on 429/500/502/503/504 and connection errors, not on a timeout,
 * never POST or PATCH; waits 500 ms × 2^(n−1), or Retry-After.
 */
describe('audit: undici RetryAgent', () => {
  it('on PUT: retries a reset, 503 and 429, honours Retry-After, does not retry a timeout', async () => {
    const server = await countingServerForTest()
    const run = await auditClient({
      upstream: server.url,
      command: [process.execPath, CLIENT, 'PUT', '{{proxyUrl}}/kv/{{run}}', '--body', '{"value":1}', '--timeout', '2000'],
      runs: 5,
      profiles: ['drop-request', 'drop-reply', 'drop-request-reset', 'status-503', 'status-429-retry-after'],
    })
    expect(
      statuses(run, ['retries-lost-request', 'retries-lost-reply', 'retries-reset', 'retries-503', 'retries-429', 'honours-retry-after', 'retries-unsafe-without-key', 'same-request-id']),
      run.output,
    ).toEqual({
      'retries-lost-request': 'no',
      'retries-lost-reply': 'no',
      'retries-reset': 'yes',
      'retries-503': 'yes',
      'retries-429': 'yes',
      'honours-retry-after': 'yes',
      'retries-unsafe-without-key': 'not observed', // PUT is idempotent
      'same-request-id': 'no', // it sends none
    })
  }, 120_000)

  it('on PUT: backs off exponentially from 500 ms', async () => {
    const server = await countingServerForTest()
    // Three faulted attempts per operation give three waits each; four operations, so a wait
    // slowed by load in one is outweighed by the shortest of the others.
    const run = await auditClient({
      upstream: server.url,
      command: [process.execPath, CLIENT, 'PUT', '{{proxyUrl}}/kv/{{run}}', '--body', '{"value":1}', '--timeout', '2000'],
      runs: 4,
      profiles: ['drop-request-reset', 'status-503'],
      faultAttempts: 3,
    })
    // Exponential: each wait of the schedule at least 1.5× the one before (docs/audit.md,
    // "Backoff"). The first is undici's 500 ms, which load can only lengthen.
    const backoff = run.finding('backoff')
    expect(backoff.summary, backoff.evidence.join('\n')).toMatch(/^exponential ×[\d.]+ from \d+ ms/)
    expect(Number(/from (\d+) ms/.exec(backoff.summary)?.[1])).toBeGreaterThanOrEqual(500)
    // Five retries at most: with three faulted attempts it never reached its cap.
    expect(run.finding('attempt-cap').summary).toBe('at least 4 attempts; never gave up while the fault lasted (raise --fault-attempts)')
  }, 120_000)

  it('on POST: retries nothing, so it never retries a non-idempotent call without a key', async () => {
    const server = await countingServerForTest()
    const run = await auditClient({
      upstream: server.url,
      command: [process.execPath, CLIENT, 'POST', '{{proxyUrl}}/orders/{{run}}', '--body', '{"sku":"a"}', '--timeout', '2000'],
      runs: 2,
      profiles: ['drop-request-reset', 'status-503'],
    })
    expect(statuses(run, ['retries-reset', 'retries-503', 'retries-unsafe-without-key', 'same-request-id']), run.output).toEqual({
      'retries-reset': 'no',
      'retries-503': 'no',
      'retries-unsafe-without-key': 'no',
      'same-request-id': 'not observed',
    })
  }, 60_000)
})
