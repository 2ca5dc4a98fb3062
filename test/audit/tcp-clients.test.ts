import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import type {TcpAuditOptions} from '../../src/audit/audit-proxy.js'
import {DEFAULT_MAX_FRAME_BYTES} from '../../src/proxy/tcp/framing.js'
import {startFixtureProcess} from '../helpers/fixture-process.js'
import {runCli} from '../helpers/run-cli.js'
import {auditClient, statuses} from './audit-harness.js'

const SERVER = fileURLToPath(new URL('../../fixtures/servers/tcp-counter.mjs', import.meta.url))
const RETRY = fileURLToPath(new URL('../../fixtures/clients/tcp-retry.mjs', import.meta.url))
const FRAME = fileURLToPath(new URL('../../fixtures/clients/tcp-frame.mjs', import.meta.url))

/** Length-prefixed JSON frames (4-byte big-endian header), as both fixture clients send by default. */
const TCP: TcpAuditOptions = {
  framing: {type: 'length-prefixed', headerBytes: 4, byteOrder: 'big', maxFrameBytes: DEFAULT_MAX_FRAME_BYTES},
  replyId: '$.id',
  route: '$.op',
}

async function tcpCounter(): Promise<string> {
  const {url} = await startFixtureProcess(SERVER, ['--framing', 'length-prefixed'])
  return url
}

const RETRY_FINDINGS = ['retries-lost-request', 'retries-lost-reply', 'retries-reset', 'retries-503'] as const

/**
 * Two framed-TCP clients against the real tcp-counter fixture through the framed-TCP fault
 * proxy: one with a documented retry policy (fixtures/clients/tcp-retry.mjs), one that sends
 * each frame once (fixtures/clients/tcp-frame.mjs --attempts 1).
 */
describe('audit --protocol tcp', () => {
  it('reads tcp-retry.mjs policy point by point: retries timeouts, resets and error frames, one request id, gives up after 4, exponential backoff', async () => {
    const upstream = await tcpCounter()
    const frame = '{"op":"dedupIncrement","key":"k{{run}}","by":1,"requestId":"op-{{run}}"}'
    const run = await auditClient({
      protocol: 'tcp',
      upstream,
      tcp: {...TCP, requestId: '$.requestId'},
      // 200, 400, 800 ms: successive waits keep a ratio ≥ 1.5 unless load stretches the shorter one by a third in every operation.
      command: [process.execPath, RETRY, '{{proxyUrl}}', frame, '--attempts', '4', '--timeout', '500', '--base', '200'],
      runs: 4,
      profiles: ['drop-request', 'drop-reply', 'drop-request-reset', 'status-503'],
      faultAttempts: 5,
    })
    expect(run.result.routes.map((r) => r.route), run.output).toEqual(['frame dedupIncrement'])
    expect(statuses(run, [...RETRY_FINDINGS, 'same-request-id', 'retries-unsafe-without-key', 'attempt-cap']), run.output).toEqual({
      'retries-lost-request': 'yes',
      'retries-lost-reply': 'yes',
      'retries-reset': 'yes',
      'retries-503': 'yes',
      'same-request-id': 'yes',
      'retries-unsafe-without-key': 'not observed',
      'attempt-cap': 'yes',
    })
    expect(run.finding('same-request-id').summary).toBe('every retry kept its field $.requestId')
    expect(run.finding('attempt-cap').summary).toBe('gives up after 4 attempts')
    expect(run.finding('backoff').summary, run.finding('backoff').evidence.join('\n')).toMatch(/^exponential ×[\d.]+ from \d+ ms/)
    const ops = run.result.routes[0]?.operations ?? []
    expect(ops.map((op) => op.attempts.map((a) => a.reason.rule))).toEqual(Array(4).fill(['first', 'same-key', 'same-key', 'same-key']))
    // Findings that need Retry-After or gRPC statuses are not reported for framed TCP.
    expect(run.result.routes[0]?.findings.map((f) => f.name)).not.toContain('honours-retry-after')
    // Every run gave up: with an error frame (status-503, exit 1) or with no reply (exit 2).
    expect(run.result.runs.map((r) => r.exitCode).sort()).toEqual([1, 2, 2, 2])
  }, 60_000)

  it('tcp-frame.mjs --attempts 1 retries nothing', async () => {
    const upstream = await tcpCounter()
    const frame = '{"op":"increment","key":"k{{run}}","by":1}'
    const run = await auditClient({
      protocol: 'tcp',
      upstream,
      tcp: TCP,
      command: [process.execPath, FRAME, '{{proxyUrl}}', frame, '--attempts', '1', '--timeout', '500'],
      runs: 4,
      profiles: ['drop-request', 'drop-reply', 'drop-request-reset', 'status-503'],
    })
    expect(statuses(run, [...RETRY_FINDINGS, 'same-request-id', 'retries-unsafe-without-key']), run.output).toEqual({
      'retries-lost-request': 'no',
      'retries-lost-reply': 'no',
      'retries-reset': 'no',
      'retries-503': 'no',
      'same-request-id': 'not observed',
      'retries-unsafe-without-key': 'no',
    })
    expect(run.result.routes[0]?.operations.map((op) => op.attempts.length)).toEqual([1, 1, 1, 1])
  }, 60_000)

  it('without a request key, a retry is grouped by the frame without its pairing id, and flagged as an at-most-once risk', async () => {
    const upstream = await tcpCounter()
    // tcp-frame.mjs re-mints `id` on every attempt; --reply-id $.id leaves it out of the frame's hash.
    const run = await auditClient({
      protocol: 'tcp',
      upstream,
      tcp: TCP,
      command: [process.execPath, FRAME, '{{proxyUrl}}', '{"op":"increment","key":"k{{run}}","by":1}', '--attempts', '3', '--timeout', '500'],
      runs: 1,
      profiles: ['drop-request-reset'],
    })
    expect(statuses(run, ['retries-reset', 'same-request-id', 'retries-unsafe-without-key']), run.output).toEqual({
      'retries-reset': 'yes',
      'same-request-id': 'no',
      'retries-unsafe-without-key': 'yes',
    })
    const [op] = run.result.routes[0]?.operations ?? []
    expect(op?.attempts.map((a) => a.reason.rule)).toEqual(['first', 'same-request'])
  }, 60_000)

  it("an error frame from the server itself is a failed attempt", async () => {
    const upstream = await tcpCounter()
    // No fault: the server answers an unknown op with {"error": …}; tcp-retry.mjs retries it twice.
    const run = await auditClient({
      protocol: 'tcp',
      upstream,
      tcp: TCP,
      command: [process.execPath, RETRY, '{{proxyUrl}}', '{"op":"nope","requestId":"x"}', '--attempts', '2', '--base', '10'],
      runs: 1,
      profiles: [],
    })
    const [op] = run.result.routes[0]?.operations ?? []
    expect(op?.attempts.map((a) => [a.attempt.errorReply, a.attempt.fault]), run.output).toEqual([
      [true, undefined],
      [true, undefined],
    ])
  }, 60_000)

  it('the CLI takes the framing flags as record does, and the tcp paths: --reply-id, --request-id, --route', async () => {
    const upstream = await tcpCounter()
    const frame = '{"op":"dedupIncrement","key":"k","by":1,"token":"t-{{run}}"}'
    const args = ['audit', '--protocol', 'tcp', '--upstream', upstream, '--framing', 'length-prefixed', '--header-bytes', '4', '--byte-order', 'big']
    const r = await runCli([...args, '--reply-id', '$.id', '--request-id', '$.token', '--route', '$.op', '--profiles', 'status-503', '--seed', '1', '--json', '--', process.execPath, FRAME, '{{proxyUrl}}', frame, '--attempts', '1'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({protocol: 'tcp', profiles: ['status-503'], routes: [{route: 'frame dedupIncrement'}]})
    expect(doc.routes[0].operations[0].attempts[0]).toMatchObject({key: {source: 'field $.token', value: 't-1'}, fault: 'status(503)', faultFired: true})
    expect(doc.routes[0].findings['retries-503']).toMatchObject({status: 'no'})
  }, 60_000)
})
