import {Pool} from 'undici'
import {afterEach, describe, expect, it} from 'vitest'
// @ts-expect-error: a plain .mjs fixture without types
import {createJsonRpcApp} from '../../fixtures/servers/jsonrpc-counter.mjs'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import type {FaultAction} from '../../src/proxy/fault.js'
import type {RuleMatch} from '../../src/proxy/request-match.js'
import type {JsonRpcProxyOptions} from '../../src/proxy/jsonrpc/jsonrpc-exchange.js'
import {createJsonRpcFaultProxy} from '../../src/proxy/jsonrpc/jsonrpc-fault-proxy.js'
import {parseJsonRpcRequest, replyWithout, responseEvidence} from '../../src/proxy/jsonrpc/message.js'
import {RuleSet} from '../../src/proxy/rule-set.js'
import {startHttpServer} from '../helpers/servers.js'
import {untilEvents} from '../helpers/event-wait.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

type Json = Record<string, unknown>

async function setup(action?: FaultAction, match?: RuleMatch, jsonrpc: JsonRpcProxyOptions = {requestId: {param: '$.requestId'}}) {
  const server = await startHttpServer(createJsonRpcApp() as Parameters<typeof startHttpServer>[0])
  cleanups.push(server.close)
  const events = new EventLog()
  const seen: ProxyEvent[] = []
  events.on('event', (e) => seen.push(e))
  const rules = new RuleSet(1)
  if (action) rules.add({id: 'r', action, match})
  const proxy = createJsonRpcFaultProxy({upstream: server.url, events, rules, captureBytes: 4096, jsonrpc})
  await proxy.start()
  cleanups.push(() => proxy.close())
  const client = new Pool(proxy.url)
  const direct = new Pool(server.url)
  cleanups.push(() => client.destroy(), () => direct.destroy())
  const post = async (pool: Pool, body: unknown, headers: Record<string, string> = {}) => {
    const r = await pool.request({method: 'POST', path: '/rpc', body: typeof body === 'string' ? body : JSON.stringify(body), headers: {'content-type': 'application/json', ...headers}})
    const text = await r.body.text()
    return {status: r.statusCode, json: text ? (JSON.parse(text) as unknown) : undefined}
  }
  const value = async (key: string) => ((await post(direct, {jsonrpc: '2.0', id: 1, method: 'get', params: {key}})).json as {result: {value: number}}).result.value
  return {events, seen, post: (body: unknown, headers?: Record<string, string>) => post(client, body, headers), value}
}

const inc = (id: number, key: string, requestId = `req-${key}`) => ({jsonrpc: '2.0', id, method: 'increment', params: {key, by: 1, requestId}})
const ofType = (seen: ProxyEvent[], type: string) => seen.filter((e) => e.type === type)

describe('JSON-RPC messages', () => {
  it('parses single calls, notifications, batches and tells invalid bodies apart', () => {
    expect(parseJsonRpcRequest('{"jsonrpc":"2.0","id":7,"method":"a","params":[1]}')).toMatchObject({kind: 'single', call: {method: 'a', id: 7, hasId: true, params: [1]}})
    expect(parseJsonRpcRequest('{"jsonrpc":"2.0","method":"log"}')).toMatchObject({kind: 'single', call: {hasId: false}})
    const batch = parseJsonRpcRequest('[{"method":"a","id":1},{"method":"b"}]')
    expect(batch.kind === 'batch' && batch.calls.map((c) => [c.index, c.method, c.hasId])).toEqual([
      [0, 'a', true],
      [1, 'b', false],
    ])
    expect(parseJsonRpcRequest('{nope')).toMatchObject({kind: 'invalid'})
    expect(parseJsonRpcRequest('[]')).toMatchObject({kind: 'invalid', reason: 'an empty batch'})
    expect(parseJsonRpcRequest('[{"method":"a"},3]')).toMatchObject({kind: 'invalid', reason: 'call 1 is not an object'})
  })

  it('removes one response from a batch reply and reads one response as comparable evidence', () => {
    const reply = Buffer.from('[{"jsonrpc":"2.0","id":1,"result":{"v":1}},{"jsonrpc":"2.0","id":"1","error":{"code":-1}}]')
    expect(JSON.parse(replyWithout(reply, 1)?.toString() ?? '')).toEqual([{jsonrpc: '2.0', id: '1', error: {code: -1}}])
    expect(replyWithout(Buffer.from('[{"jsonrpc":"2.0","id":1,"result":0}]'), 1)?.length).toBe(0)
    expect(replyWithout(reply, 99)).toBeUndefined()
    const call = {index: 0, method: 'a', hasId: true, id: '1', raw: {}}
    expect(responseEvidence(reply, call)).toBe('{"error":{"code":-1}}')
    expect(responseEvidence(Buffer.from('{"jsonrpc":"2.0","id":5,"result":3}'), {...call, id: 5})).toBe('{"result":3}')
  })
})

describe('HttpFaultProxy with the JSON-RPC codec', () => {
  for (const mode of ['sequential', 'concurrent', 'delayed'] as const) {
    it(`duplicate (${mode}) of one call in a batch executes that call twice and the others once`, async () => {
      const {post, value, seen, events} = await setup({type: 'duplicate', mode, delay: 20}, {fields: {'$.params.key': 'A'}})
      const reply = await post([inc(1, 'B'), inc(2, 'A'), inc(3, 'C')])
      await untilEvents(events, () => ofType(seen, 'reply-end').length === 2)
      expect(await value('A')).toBe(2)
      expect(await value('B')).toBe(1)
      expect(await value('C')).toBe(1)
      // The client gets the batch reply of delivery 1, whole.
      expect((reply.json as Json[]).map((r) => r.id)).toEqual([1, 2, 3])
      const fault = ofType(seen, 'fault')[0]
      expect(fault).toMatchObject({fault: 'duplicate', operation: 'req-A', detail: {call: 1, rpcMethod: 'increment'}})
      // Deliveries count the call under test: the batch, then that call alone.
      expect(ofType(seen, 'delivery').map((d) => [d.delivery, d.detail?.sent])).toEqual([
        [1, 'batch'],
        [2, 'alone'],
      ])
      const bodies = ofType(seen, 'reply-end').map((e) => JSON.parse(String(e.detail?.body)) as Json)
      for (const body of bodies) expect(body).toMatchObject({result: {key: 'A'}})
    })
  }

  it('drop-reply of one call removes only its response; every call executed', async () => {
    const {post, value, seen} = await setup({type: 'drop-reply', mode: 'timeout'}, {rpcMethod: 'incr*', fields: {'$.params.key': 'B'}})
    const reply = await post([inc(1, 'A'), inc(2, 'B')])
    expect(reply.status).toBe(200)
    expect((reply.json as Json[]).map((r) => r.id)).toEqual([1])
    expect(await value('A')).toBe(1)
    expect(await value('B')).toBe(1)
    expect(ofType(seen, 'fault')[0]).toMatchObject({fault: 'drop-reply', phase: 'reply', detail: {call: 1}})
  })

  it('drop-request of one call keeps it from the server; the rest of the batch goes through', async () => {
    const {post, value, seen} = await setup({type: 'drop-request', mode: 'timeout'}, {fields: {'$.params.key': 'A'}})
    const reply = await post([inc(1, 'A'), inc(2, 'B')])
    expect((reply.json as Json[]).map((r) => r.id)).toEqual([2])
    expect(await value('A')).toBe(0)
    expect(await value('B')).toBe(1)
    // The call under test was never delivered, so no delivery is counted for it.
    expect(ofType(seen, 'delivery')).toHaveLength(0)
  })

  it('a fault on a single call hits the whole HTTP exchange; the evidence drops the per-attempt id', async () => {
    const {post, value, seen, events} = await setup({type: 'duplicate', mode: 'sequential', delay: 0}, {rpcMethod: 'increment'})
    const reply = await post(inc(41, 'S'))
    await untilEvents(events, () => ofType(seen, 'reply-end').length === 2)
    expect(reply.json).toMatchObject({id: 41, result: {value: 1}})
    expect(await value('S')).toBe(2)
    expect(ofType(seen, 'reply-end').map((e) => e.detail?.body)).toEqual(['{"result":{"key":"S","value":1}}', '{"result":{"key":"S","value":2}}'])
  })

  it('records notifications as such, and takes the request id from a header when told to', async () => {
    const {post, seen} = await setup(undefined, undefined, {requestId: {header: 'Idempotency-Key'}})
    const reply = await post({jsonrpc: '2.0', method: 'increment', params: {key: 'N'}}, {'idempotency-key': 'k-1'})
    expect(reply.status).toBe(204)
    expect(ofType(seen, 'request')[0]).toMatchObject({operation: 'k-1', detail: {rpc: 'single', calls: [{method: 'increment', notification: true}]}})
  })

  it('forwards a body that is not JSON-RPC (the server answers it) and records an error', async () => {
    const {post, seen} = await setup({type: 'drop-reply', mode: 'reset'}, {rpcMethod: 'increment'})
    const reply = await post('{not json')
    expect(reply.json).toMatchObject({error: {code: -32700}})
    expect(ofType(seen, 'error')[0]).toMatchObject({phase: 'parse', detail: {forwarded: true}})
    expect(ofType(seen, 'fault')).toHaveLength(0)
  })
})
