import {describe, expect, it, onTestFinished} from 'vitest'
import {FailoverTransport} from '../../src/check/failover-transport.js'
import type {ProtocolAdapter, Transport} from '../../src/check/protocol.js'
import {grpcProtocol} from '../../src/check/protocols/grpc-protocol.js'
import {jsonRpcProtocol} from '../../src/check/protocols/jsonrpc-protocol.js'
import {tcpProtocol} from '../../src/check/protocols/tcp-protocol.js'
import {runOperation} from '../../src/check/retrying-client.js'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import type {ClientPolicy, Scenario} from '../../src/scenario/types.js'
import {startFixtureProcess} from '../helpers/fixture-process.js'

/**
 * faultline's failover client against the real replicated counter fixtures (jsonrpc, grpc,
 * framed tcp), straight (no
 * proxy, no fault): the replica the client tries first was started with --not-leader and
 * refuses every increment with the protocol's "not leader" error; the second one serves.
 * A refusal whose code is in client.failoverOn sends the retry to the second replica; an
 * unlisted one ends the operation where it is, or (when retried) retries the same replica.
 */
interface Protocol {
  name: string
  scenario: string
  fixture: string
  adapter: ProtocolAdapter
  path: string
  notLeader: number | string
  /** The refusal as the timeline shows it. */
  refusal: string
  /** The status of a reply that succeeded. */
  ok: number | string
  increment: (key: string) => unknown
  read: (key: string) => unknown
}

const PROTOCOLS: Protocol[] = [
  {
    name: 'jsonrpc',
    scenario: 'fixtures/replicas-rpc-demo.yaml',
    fixture: 'fixtures/servers/replicated-counter-rpc.mjs',
    adapter: jsonRpcProtocol,
    path: '/rpc',
    notLeader: -32001,
    refusal: '-32001 not leader',
    ok: 200,
    increment: (key) => ({kind: 'jsonrpc', batch: false, headers: {}, calls: [{method: 'increment', params: {mode: 'sync', key, by: 1, requestId: `id-${key}`}, notification: false}]}),
    read: (key) => ({kind: 'jsonrpc', batch: false, headers: {}, calls: [{method: 'get', params: {mode: 'sync', key}, notification: false}]}),
  },
  {
    name: 'grpc',
    scenario: 'fixtures/replicas-grpc-demo.yaml',
    fixture: 'fixtures/servers/replicated-counter-grpc.mjs',
    adapter: grpcProtocol,
    path: '',
    notLeader: 'FAILED_PRECONDITION',
    refusal: 'FAILED_PRECONDITION not leader',
    ok: 'OK',
    increment: (key) => ({method: 'replicas.Counter/Increment', message: {mode: 'sync', key, by: 1, request_id: `id-${key}`}, metadata: {}}),
    read: (key) => ({method: 'replicas.Counter/Get', message: {mode: 'sync', key}, metadata: {}}),
  },
  {
    name: 'tcp',
    scenario: 'fixtures/replicas-tcp-demo.yaml',
    fixture: 'fixtures/servers/replicated-counter-tcp.mjs',
    adapter: tcpProtocol,
    path: '',
    notLeader: 'not-leader',
    refusal: 'not-leader',
    ok: 0,
    increment: (key) => ({kind: 'tcp', frame: {op: 'increment', id: `i-${key}`, mode: 'sync', key, by: 1, requestId: `id-${key}`}}),
    read: (key) => ({kind: 'tcp', frame: {op: 'get', id: `g-${key}`, mode: 'sync', key}}),
  },
]

async function cluster(p: Protocol, scenario: Scenario) {
  const stale = await startFixtureProcess(p.fixture, ['--role', 'primary', '--not-leader'])
  const leader = await startFixtureProcess(p.fixture, ['--role', 'backup'])
  const events = new EventLog()
  const seen: ProxyEvent[] = []
  events.on('event', (e) => seen.push(e))
  const transports: Transport[] = []
  const open = (url: string, probe = false): Transport => {
    const t = probe ? p.adapter.createProbeClient(url + p.path, scenario) : p.adapter.createClient(url + p.path, scenario)
    transports.push(t)
    return t
  }
  const client = new FailoverTransport(
    [
      {name: 'primary', transport: open(stale.url)},
      {name: 'backup', transport: open(leader.url)},
    ],
    events,
  )
  const probe = open(leader.url, true)
  onTestFinished(() => Promise.all(transports.map((t) => t.close())).then(() => client.close()))
  const value = async (policy: ClientPolicy, key: string): Promise<unknown> => {
    const reply = await probe.send(p.read(key), undefined, policy, AbortSignal.timeout(5000))
    const body = reply.body as {value?: unknown; result?: {value?: unknown}}
    return body.result?.value ?? body.value
  }
  const run = (policy: ClientPolicy, key: string) => runOperation({transport: client, policy, render: () => p.increment(key), trial: key, events})
  return {run, value, seen}
}

describe.each(PROTOCOLS)('failover on a configured error ($name)', (p) => {
  it('a "not leader" reply listed in client.failoverOn sends the retry to the next replica, which executes it', async () => {
    const scenario = await loadScenario(p.scenario)
    expect(scenario.client.failoverOn).toContain(p.notLeader)
    const {run, value, seen} = await cluster(p, scenario)
    const op = await run(scenario.client, 'k1')
    expect(op.outcome).toBe('ok')
    expect(op.attempts.map((a) => a.status)).toEqual([p.notLeader, p.ok])
    const moves = seen.filter((e) => e.detail?.action === 'fails-over')
    expect(moves.map((e) => [e.attempt, e.proxy, e.detail?.message])).toEqual([[1, 'primary', `attempt 1 got ${p.refusal} → next replica backup`]])
    expect(seen.filter((e) => e.detail?.action === 'failover').map((e) => e.proxy)).toEqual(['primary', 'backup'])
    expect(await value(scenario.client, 'k1')).toBe(1)
  })

  it('an unlisted "not leader" reply ends the operation on the replica that sent it', async () => {
    const scenario = await loadScenario(p.scenario)
    const {run, value, seen} = await cluster(p, scenario)
    // Without failoverOn only retried replies fail over, and "not leader" is not retried.
    const policy: ClientPolicy = {...scenario.client, failoverOn: undefined}
    const op = await run(policy, 'k2')
    expect(op.outcome).toBe('failed')
    expect(op.attempts.map((a) => a.status)).toEqual([p.notLeader])
    expect(seen.filter((e) => e.detail?.action === 'fails-over')).toEqual([])
    expect(await value(policy, 'k2')).toBe(0)
  })
})

describe('a retried reply that is not in client.failoverOn', () => {
  it('retries the same replica (jsonrpc: target.retryErrorCodes retries, failoverOn moves)', async () => {
    const p = PROTOCOLS[0] as Protocol
    const loaded = await loadScenario(p.scenario)
    const scenario: Scenario = {...loaded, target: {...loaded.target, jsonrpc: {...(loaded.target.jsonrpc as NonNullable<Scenario['target']['jsonrpc']>), retryErrorCodes: [-32001]}}}
    const {run, value, seen} = await cluster(p, scenario)
    const policy: ClientPolicy = {...scenario.client, failoverOn: [-32099], attempts: 3, backoff: 0}
    const op = await run(policy, 'k3')
    expect(op.attempts.map((a) => a.status)).toEqual([-32001, -32001, -32001])
    expect(op.outcome).not.toBe('ok')
    expect(seen.filter((e) => e.detail?.action === 'failover').map((e) => e.proxy)).toEqual(['primary', 'primary', 'primary'])
    expect(await value(policy, 'k3')).toBe(0)
  })
})
