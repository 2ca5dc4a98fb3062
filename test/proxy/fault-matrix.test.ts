import {readFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {ScenarioError} from '../../src/errors.js'
import type {ProxyEvent} from '../../src/events/event-log.js'
import {resolveFault, type FaultAction, type FaultType} from '../../src/proxy/fault.js'
import {FAULT_TYPES} from '../../src/proxy/faults/registry.js'
import {deriveRandom} from '../../src/random.js'
import {unsupportedFault} from '../../src/scenario/fault-support.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {BUILTIN_PROFILES} from '../../src/scenario/profiles.js'
import type {Protocol} from '../../src/scenario/types.js'
import {MATRIX_CASES, protocolOf, startHarness, type ClientView, type Harness, type MatrixCase} from '../helpers/fault-harness.js'
import {PROTO_FILE} from '../helpers/grpc.js'
import {writeFiles} from '../scenario/helpers.js'

/**
 * Every message fault (from the proxy's registry, through each built-in profile that injects
 * it) × every protocol, over real sockets: the fault fires on the first request and its
 * contract is read from the events, the server's own count and what the client got. A new
 * fault or protocol is covered here by construction; pairs a protocol does not support are
 * rejected when a scenario loads.
 */

/** What a fault promises, whatever the protocol. */
interface Contract {
  /** Executions the server performs for the one request. */
  executions: number
  /** What the client gets: the server's reply (ok), an answer that is not ok, or an error (reset, gave up). */
  client: 'ok' | 'answer' | 'error'
  /** The proxy never answers; the client gives up (here: aborts once the fault fired). */
  held?: boolean
  /** The supervisor is asked to kill the server here. */
  crash?: string
  /** The server receives the request but its execution is not awaited (a crashed client). */
  unawaited?: boolean
  /** The replica hook the proxy asks: `partition`, or the link fault's type. */
  replicaHook?: string
}

const CONTRACTS: {[T in FaultType]: (a: Extract<FaultAction, {type: T}>) => Contract} = {
  'drop-request': (a) => ({executions: 0, client: 'error', held: a.mode === 'timeout'}),
  'drop-reply': (a) => ({executions: 1, client: 'error', held: a.mode === 'timeout'}),
  duplicate: () => ({executions: 2, client: 'ok'}),
  delay: () => ({executions: 1, client: 'ok'}),
  reset: () => ({executions: 1, client: 'error'}),
  'crash-before-reply': () => ({executions: 1, client: 'error', crash: 'before-reply'}),
  // A primary left down (replicas) gets no late copy of the request.
  'crash-after-reply': (a) => ({executions: a.restart === 'never' ? 1 : 2, client: 'ok', crash: 'after-reply'}),
  'client-abort': () => ({executions: 1, client: 'error', unawaited: true}),
  status: (a) => ({executions: a.phase === 'reply' ? 1 : 0, client: 'answer'}),
  'partition-primary': (a) => ({executions: a.mode === 'after-delivery' ? 1 : 0, client: 'error', held: true, replicaHook: 'partition'}),
  'replication-delay': () => ({executions: 1, client: 'ok', replicaHook: 'replication-delay'}),
  'replication-drop': () => ({executions: 1, client: 'ok', replicaHook: 'replication-drop'}),
}

const contractOf = (a: FaultAction): Contract => (CONTRACTS[a.type] as (a: FaultAction) => Contract)(a)

const harnesses: Harness[] = []
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close()
})

const count = (events: ProxyEvent[], type: string) => events.filter((e) => e.type === type).length

function clientGot(view: ClientView): Contract['client'] {
  if (view.kind === 'error') return 'error'
  return view.reply.classification === 'ok' ? 'ok' : 'answer'
}

async function runPair(kase: MatrixCase, action: FaultAction): Promise<void> {
  const contract = contractOf(action)
  const h = await startHarness(kase, action)
  harnesses.push(h)
  const abort = new AbortController()
  const fired = h.waitFor((e) => e.type === 'fault' && e.fault === action.type)
  const sent = h.send(abort.signal)
  await fired
  if (contract.held) abort.abort()
  expect(clientGot(await sent)).toBe(contract.client)
  if (!contract.unawaited) await h.waitFor(() => count(h.events, 'reply') >= contract.executions)
  else await h.waitFor(() => count(h.events, 'delivery') >= contract.executions)
  expect(count(h.events, 'delivery')).toBe(contract.executions)
  if (!contract.unawaited) expect(h.server.count()).toBe(contract.executions)
  expect(h.crashes.map((c) => c.point)).toEqual(contract.crash ? [contract.crash] : [])
  expect(h.replicaHooks).toEqual(contract.replicaHook ? [contract.replicaHook] : [])
  // In a batch the fault hits one call, the first, and says so.
  if (kase === 'jsonrpc-batch') expect(h.events.find((e) => e.type === 'fault')?.detail).toMatchObject({call: 0, rpcMethod: 'increment'})
}

const PROTO = readFileSync(PROTO_FILE, 'utf8')
const TARGETS: Record<Protocol, string> = {
  http: 'target: { protocol: http, url: "http://127.0.0.1:4100" }\nendpoints:\n  - name: x\n    request: { method: POST, path: /x }\n',
  jsonrpc: 'target: { protocol: jsonrpc, url: "http://127.0.0.1:4100/rpc" }\nendpoints:\n  - name: x\n    request: { method: inc }\n',
  tcp: 'target: { protocol: tcp, url: "tcp://127.0.0.1:4100", framing: { type: ndjson } }\nendpoints:\n  - name: x\n    request: { frame: { op: inc } }\n',
  grpc: 'target: { protocol: grpc, url: "grpc://127.0.0.1:4100", proto: bank.proto }\nendpoints:\n  - name: x\n    request: { method: bank.NaiveBank/Deposit, message: { account: a, amount: 1 } }\n',
}

async function loadError(protocol: Protocol, profile: string): Promise<string> {
  const dir = writeFiles({'s.yaml': `version: 1\n${TARGETS[protocol]}profiles: [${profile}]\n`, 'bank.proto': PROTO})
  const error = await loadScenario(path.join(dir, 's.yaml'), {env: {}}).then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(ScenarioError)
  return (error as ScenarioError).message
}

describe('fault × protocol matrix', () => {
  it('has a contract for every fault the registry knows, and a built-in profile for each', () => {
    expect(Object.keys(CONTRACTS).sort()).toEqual([...FAULT_TYPES].sort())
    for (const type of FAULT_TYPES) expect(BUILTIN_PROFILES.some((p) => p.faults.some((f) => f.type === type))).toBe(true)
  })

  for (const type of FAULT_TYPES) {
    for (const profile of BUILTIN_PROFILES.filter((p) => p.faults[0]?.type === type)) {
      const fault = profile.faults[0] as (typeof profile.faults)[number]
      for (const kase of MATRIX_CASES) {
        const protocol = protocolOf(kase)
        const unsupported = unsupportedFault(fault, protocol)
        if (unsupported) {
          it(`${kase} rejects ${profile.name} when the scenario loads`, async () => {
            expect(await loadError(protocol, profile.name)).toContain(`profile "${profile.name}" injects ${unsupported.what}, which apply to`)
          })
          continue
        }
        it(`${kase}: ${profile.name}`, async () => {
          const action = resolveFault(fault, deriveRandom(1, profile.name), 40, {timing: 'min'})
          await runPair(kase, action)
        })
      }
    }
  }
})
