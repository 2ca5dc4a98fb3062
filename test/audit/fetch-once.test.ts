import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {auditClient, countingServerForTest, statuses} from './audit-harness.js'

const CLIENT = fileURLToPath(new URL('../../fixtures/clients/fetch-once.mjs', import.meta.url))
/**
 * The platform's fetch with no retry logic (fixtures/clients/fetch-once.mjs): it retries nothing.
 * Each attempt may take 2 s: on a loaded machine a shorter timeout can expire before the request
 * even reaches the proxy.
 */
describe('audit: plain fetch', () => {
  it('retries nothing: not a lost request, a lost reply, a reset, 503 or 429', async () => {
    const server = await countingServerForTest()
    const run = await auditClient({
      upstream: server.url,
      command: [process.execPath, CLIENT, 'PUT', '{{proxyUrl}}/kv/{{run}}', '--body', '{"value":1}', '--timeout', '2000'],
      runs: 5,
      profiles: ['drop-request', 'drop-reply', 'drop-request-reset', 'status-503', 'status-429-retry-after'],
    })
    expect(statuses(run, ['retries-lost-request', 'retries-lost-reply', 'retries-reset', 'retries-503', 'retries-429', 'honours-retry-after', 'same-request-id']), run.output).toEqual({
      'retries-lost-request': 'no',
      'retries-lost-reply': 'no',
      'retries-reset': 'no',
      'retries-503': 'no',
      'retries-429': 'no',
      'honours-retry-after': 'not observed',
      'same-request-id': 'not observed',
    })
    expect(run.result.routes[0]?.operations.map((op) => op.attempts.length)).toEqual([1, 1, 1, 1, 1])
    expect(run.result.runs.map((r) => r.exitCode).sort()).toEqual([1, 1, 2, 2, 2]) // two error replies, three without a reply
  }, 60_000)
})
