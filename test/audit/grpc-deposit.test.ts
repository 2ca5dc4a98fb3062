import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {ProtoCatalog} from '../../src/grpc/proto.js'
import {PROTO_FILE, startTestBank} from '../helpers/grpc.js'
import {auditClient, statuses} from './audit-harness.js'

const CLIENT = fileURLToPath(new URL('../../fixtures/clients/grpc-deposit.mjs', import.meta.url))
const closers: Array<() => void> = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

function deposit(extra: string[]): string[] {
  return [process.execPath, CLIENT, '{{proxyAddress}}', '--service', 'NaiveBank', '--account', 'a{{run}}', '--request-id', 'req-{{run}}', '--deadline', '5000', ...extra]
}

/**
 * @grpc/grpc-js (fixtures/clients/grpc-deposit.mjs). With a retryPolicy service config (gRFC A6):
 * retries UNAVAILABLE up to maxAttempts, waits the server's pushback, re-sends the same
 * metadata and message. Without one: retries nothing.
 */
describe('audit: grpc-js', () => {
  it('with a retryPolicy: retries UNAVAILABLE, honours pushback, keeps x-request-id, stays within its deadline', async () => {
    const bank = await startTestBank()
    closers.push(bank.close)
    const run = await auditClient({
      protocol: 'grpc',
      catalog: ProtoCatalog.load(PROTO_FILE),
      upstream: bank.url,
      command: deposit(['--retry-policy']),
      runs: 2,
      profiles: ['status-unavailable', 'status-unavailable-pushback'],
    })
    expect(statuses(run, ['retries-unavailable', 'honours-pushback', 'same-request-id', 'retries-unsafe-without-key', 'gives-up-before-deadline']), run.output).toEqual({
      'retries-unavailable': 'yes',
      'honours-pushback': 'yes',
      'same-request-id': 'yes',
      'retries-unsafe-without-key': 'not observed', // every call carried a key
      'gives-up-before-deadline': 'yes',
    })
    expect(run.finding('same-request-id').summary).toBe('every retry kept its metadata x-request-id')
  }, 60_000)

  it('with maxAttempts 4 and UNAVAILABLE on every attempt: gives up after 4 attempts', async () => {
    const bank = await startTestBank()
    closers.push(bank.close)
    const run = await auditClient({
      protocol: 'grpc',
      catalog: ProtoCatalog.load(PROTO_FILE),
      upstream: bank.url,
      command: deposit(['--retry-policy']),
      runs: 1,
      profiles: ['status-unavailable'],
      faultAttempts: 10,
    })
    expect(run.finding('attempt-cap').summary, run.output).toBe('gives up after 4 attempts')
  }, 60_000)

  it('without a retryPolicy: retries nothing', async () => {
    const bank = await startTestBank()
    closers.push(bank.close)
    const run = await auditClient({
      protocol: 'grpc',
      catalog: ProtoCatalog.load(PROTO_FILE),
      upstream: bank.url,
      command: deposit([]),
      runs: 2,
      profiles: ['status-unavailable', 'drop-request-reset'],
    })
    expect(statuses(run, ['retries-unavailable', 'retries-reset', 'same-request-id']), run.output).toEqual({
      'retries-unavailable': 'no',
      'retries-reset': 'no',
      'same-request-id': 'not observed',
    })
    expect(bank.state.deliveries).toBe(0)
  }, 60_000)
})
