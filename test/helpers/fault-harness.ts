import {PROTOCOLS} from '../../src/check/protocols/registry.js'
import type {Transport, TransportReply} from '../../src/check/protocol.js'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import type {FaultAction} from '../../src/proxy/fault.js'
import type {CrashContext, ProxyHooks} from '../../src/proxy/proxy-hooks.js'
import {RuleSet} from '../../src/proxy/rule-set.js'
import type {ClientPolicy, Protocol, Scenario} from '../../src/scenario/types.js'
import {PROTO_FILE, startTestBank} from './grpc.js'
import {startHttpServer} from './servers.js'
import {jsonFrame, startFramedServer} from './framed-server.js'

/** What the client got for one request: a reply (with how the built-in client reads it), or an error. */
export type ClientView = {kind: 'reply'; reply: TransportReply} | {kind: 'error'; message: string}

/** A tiny counting server of one protocol: `count()` is how many requests it executed. */
interface CountingServer {
  url: string
  count(): number
  close(): Promise<void>
}

const NDJSON = {type: 'ndjson', maxFrameBytes: 4096} as const

interface Call {
  id?: unknown
  method: string
}

/** Counts every HTTP request; for JSON-RPC, every `increment` call, batches included (the other calls only answer). */
async function httpServer(jsonrpc: boolean): Promise<CountingServer> {
  let n = 0
  const answer = (call: Call) => {
    if (call.method === 'increment') n += 1
    return {jsonrpc: '2.0', id: call.id, result: {n}}
  }
  const server = await startHttpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (!jsonrpc) n += 1
      const call = jsonrpc ? (JSON.parse(Buffer.concat(chunks).toString()) as Call | Call[]) : undefined
      const body = JSON.stringify(call === undefined ? {n} : Array.isArray(call) ? call.map(answer) : answer(call))
      res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)})
      res.end(body)
    })
  })
  return {url: server.url + (jsonrpc ? '/rpc' : ''), count: () => n, close: server.close}
}

async function tcpServer(): Promise<CountingServer> {
  let n = 0
  const server = await startFramedServer(NDJSON, (frame) => {
    n += 1
    const {id} = JSON.parse(frame.toString()) as {id: unknown}
    return {reply: jsonFrame({id, n})}
  })
  return {url: `tcp://127.0.0.1:${server.port}`, count: () => n, close: server.close}
}

async function grpcServer(): Promise<CountingServer> {
  const bank = await startTestBank()
  return {url: bank.url, count: () => bank.state.deliveries, close: async () => bank.close()}
}

/**
 * What the matrix runs every fault against: each protocol, and a JSON-RPC batch whose first
 * call the fault hits (the second call is only answered, never counted).
 */
export type MatrixCase = Protocol | 'jsonrpc-batch'

/** The protocol a matrix case speaks. */
export const protocolOf = (c: MatrixCase): Protocol => (c === 'jsonrpc-batch' ? 'jsonrpc' : c)

const SERVERS: Record<MatrixCase, () => Promise<CountingServer>> = {
  http: () => httpServer(false),
  jsonrpc: () => httpServer(true),
  'jsonrpc-batch': () => httpServer(true),
  tcp: tcpServer,
  grpc: grpcServer,
}

/** One request of each protocol, and the bits of a scenario its adapter reads. */
const REQUESTS: Record<MatrixCase, {request: unknown; target: Partial<Scenario['target']>}> = {
  http: {request: {method: 'POST', path: '/inc', headers: {}, body: {by: 1}}, target: {}},
  jsonrpc: {request: {kind: 'jsonrpc', calls: [{method: 'increment', params: {by: 1}}], batch: false, headers: {}}, target: {jsonrpc: {retryErrorCodes: []}}},
  'jsonrpc-batch': {
    request: {kind: 'jsonrpc', calls: [{method: 'increment', params: {by: 1}}, {method: 'peek'}], batch: true, headers: {}},
    target: {jsonrpc: {retryErrorCodes: []}},
  },
  tcp: {request: {kind: 'tcp', frame: {id: 7, op: 'inc'}}, target: {tcp: {framing: NDJSON, replyId: '$.id', errorField: '$.error'}}},
  grpc: {request: {method: 'bank.NaiveBank/Deposit', message: {account: 'a', amount: 1}, metadata: {}}, target: {proto: PROTO_FILE}},
}

export const MATRIX_CASES = Object.keys(SERVERS) as MatrixCase[]

/** Long enough never to fire on a loaded machine: held requests are ended by aborting instead. */
const POLICY: ClientPolicy = {timeout: 20_000, attempts: 1, backoff: 0, backoffFactor: 1, retryOn: []}

export interface Harness {
  events: ProxyEvent[]
  crashes: CrashContext[]
  /** What the replica hooks were asked for: `partition` (a partition fault), the link fault's type. */
  replicaHooks: string[]
  server: CountingServer
  /** Send the request once; `abort` ends a held attempt. */
  send(abort: AbortSignal): Promise<ClientView>
  /** Resolves once an event matches (checked against those already seen). */
  waitFor(test: (e: ProxyEvent) => boolean): Promise<void>
  close(): Promise<void>
}

/** A protocol's fault proxy (the one `check` runs) in front of a counting server, with `action` on the first request. */
export async function startHarness(kase: MatrixCase, action: FaultAction, policy: Partial<ClientPolicy> = {}, extraHooks: ProxyHooks = {}): Promise<Harness> {
  const protocol = protocolOf(kase)
  const server = await SERVERS[kase]()
  const log = new EventLog()
  const events: ProxyEvent[] = []
  const waiters = new Set<() => void>()
  log.on('event', (e) => {
    events.push(e)
    for (const w of [...waiters]) w()
  })
  const crashes: CrashContext[] = []
  const rules = new RuleSet(1)
  rules.add({id: 'matrix', action, nth: 1})
  const {request, target} = REQUESTS[kase]
  const scenario = {target: {protocol, url: server.url, ...target}} as unknown as Scenario
  const adapter = PROTOCOLS.get(protocol)
  if (!adapter) throw new Error(`no adapter for ${protocol}`)
  const replicaHooks: string[] = []
  const hooks: ProxyHooks = {
    crash: async (c: CrashContext) => void crashes.push(c),
    partition: async () => void replicaHooks.push('partition'),
    faultLink: async (c) => void replicaHooks.push(c.action.type),
    ...extraHooks,
  }
  const proxy = await adapter.startProxy({upstream: server.url, events: log, rules, hooks, captureBytes: 1024, scenario})
  const client: Transport = adapter.createClient(proxy.url, scenario)
  return {
    events,
    crashes,
    replicaHooks,
    server,
    async send(abort) {
      try {
        return {kind: 'reply', reply: await client.send(request, {trial: 't1', attempt: 1}, {...POLICY, ...policy}, abort)}
      } catch (err) {
        return {kind: 'error', message: (err as Error).message}
      }
    },
    waitFor(test) {
      if (events.some(test)) return Promise.resolve()
      return new Promise((resolve) => {
        const check = () => {
          if (!events.some(test)) return
          waiters.delete(check)
          resolve()
        }
        waiters.add(check)
      })
    },
    async close() {
      await client.close()
      await proxy.close()
      await server.close()
    },
  }
}
