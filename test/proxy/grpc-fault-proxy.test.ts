import http2 from 'node:http2'
import net from 'node:net'
import * as grpc from '@grpc/grpc-js'
import {afterEach, describe, expect, it} from 'vitest'
import {grpcTransport, GrpcTransportError} from '../../src/check/protocols/grpc-protocol.js'
import type {Transport} from '../../src/check/protocol.js'
import {EventLog} from '../../src/events/event-log.js'
import type {FaultAction} from '../../src/proxy/fault.js'
import {frameMessage} from '../../src/proxy/grpc/frames.js'
import {GrpcFaultProxy} from '../../src/proxy/grpc/grpc-fault-proxy.js'
import {ProtoCatalog} from '../../src/grpc/proto.js'
import type {CrashContext} from '../../src/proxy/proxy-hooks.js'
import {RuleSet} from '../../src/proxy/rule-set.js'
import type {ClientPolicy} from '../../src/scenario/types.js'
import {startBankServer} from '../../fixtures/servers/grpc-bank.mjs'
import {collect, PROTO_FILE, startTestBank} from '../helpers/grpc.js'

const catalog = ProtoCatalog.load(PROTO_FILE)
const policy = (timeout = 2000): ClientPolicy => ({timeout, attempts: 1, backoff: 0, backoffFactor: 2, retryOn: ['UNAVAILABLE']})
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

async function setup(options: {deposit?: NonNullable<Parameters<typeof startTestBank>[0]>['deposit']; upstream?: string} = {}) {
  const bank = await startTestBank({deposit: options.deposit})
  cleanups.push(() => bank.close())
  const events = new EventLog()
  const seen = collect(events)
  const rules = new RuleSet(7)
  const crashes: CrashContext[] = []
  const proxy = new GrpcFaultProxy({
    upstream: options.upstream ?? bank.url,
    events,
    rules,
    catalog,
    captureBytes: 65536,
    hooks: {crash: async (context) => void crashes.push(context)},
  })
  await proxy.start()
  cleanups.push(() => proxy.close())
  const client = grpcTransport(proxy.url, catalog)
  cleanups.push(() => client.close())
  const fault = (action: FaultAction) => rules.add({id: 'f', match: {trial: 't1'}, scope: 'trial', limit: 1, action})
  return {bank, events, seen, rules, proxy, client, crashes, fault}
}

const deposit = (request_id = 'op-1') => ({method: 'bank.NaiveBank/Deposit', message: {account: 'a', amount: 1, request_id}, metadata: {'x-request-id': request_id}})

function send(client: Transport, attempt = 1, timeout = 2000) {
  return client.send(deposit(), {trial: 't1', attempt}, policy(timeout), AbortSignal.timeout(timeout))
}

/** Resolve with the error a send rejects with (or fail the test). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail')
    },
    (err: Error) => err,
  )
}

describe('GrpcFaultProxy: forwarding', () => {
  it('forwards a unary call, strips the markers, and records the decoded reply', async () => {
    const {bank, client, seen} = await setup()
    const reply = await send(client, 2)
    expect(reply).toMatchObject({status: 'OK', classification: 'ok', body: {account: 'a', balance: 1, transaction: 'tx1'}})
    expect(bank.state.metadata[0]).not.toHaveProperty('x-faultline-trial')
    expect(bank.state.metadata[0]).not.toHaveProperty('x-faultline-attempt')
    expect(bank.state.metadata[0]).toMatchObject({'x-request-id': 'op-1', 'grpc-previous-rpc-attempts': '1'})
    await seen.waitFor((e) => e.type === 'forwarded')
    const types = seen.log.filter((e) => e.trial === 't1').map((e) => e.type)
    expect(types).toEqual(['request', 'delivery', 'reply', 'reply-end', 'forwarded'])
    const request = seen.of('request')[0]
    expect(request).toMatchObject({trial: 't1', attempt: 2, operation: 'op-1', path: '/bank.NaiveBank/Deposit'})
    expect(request?.detail).toMatchObject({rpc: 'bank.NaiveBank/Deposit', targetable: true, previousRpcAttempts: 1})
    expect(typeof request?.detail?.grpcTimeout).toBe('string')
    const end = seen.of('reply-end')[0]
    expect(end?.detail).toMatchObject({rpcStatus: 'OK', ok: true})
    expect(JSON.parse(end?.detail?.body as string)).toEqual({account: 'a', balance: 1, transaction: 'tx1'})
  })

  it('takes the operation id from the request message when no metadata carries one', async () => {
    const {client, seen} = await setup()
    const call = {method: 'bank.NaiveBank/Deposit', message: {account: 'a', amount: 1, request_id: 'op-in-message'}, metadata: {}}
    await client.send(call, {trial: 't1', attempt: 1}, policy(), AbortSignal.timeout(2000))
    expect((await seen.waitFor((e) => e.type === 'delivery')).operation).toBe('op-in-message')
  })

  it('records a server error status and its grpc-message', async () => {
    const {client, seen} = await setup({deposit: (_call, cb) => cb({code: grpc.status.FAILED_PRECONDITION, details: 'frozen account'})})
    const reply = await send(client)
    expect(reply).toMatchObject({status: 'FAILED_PRECONDITION', classification: 'failed', notFound: false})
    const end = await seen.waitFor((e) => e.type === 'reply-end')
    expect(end.detail).toMatchObject({rpcStatus: 'FAILED_PRECONDITION', ok: false, grpcMessage: 'frozen account', body: ''})
  })

  it('records grpc-retry-pushback-ms and the client honours it', async () => {
    const flaky = await startBankServer({pushbackMs: 35})
    cleanups.push(() => flaky.close())
    const {client, seen} = await setup({upstream: `grpc://127.0.0.1:${flaky.port}`})
    const call = {method: 'bank.FlakyBank/Deposit', message: {account: 'a', amount: 1, request_id: 'op-p'}, metadata: {}}
    const reply = await client.send(call, {trial: 't1', attempt: 1}, policy(), AbortSignal.timeout(2000))
    expect(reply).toMatchObject({status: 'UNAVAILABLE', classification: 'retry', retryAfterMs: 35})
    const end = await seen.waitFor((e) => e.type === 'reply-end')
    expect(end.detail).toMatchObject({rpcStatus: 'UNAVAILABLE', pushbackMs: '35'})
  })

  it('passes a streaming call through untouched and records it as not targetable', async () => {
    const {proxy, seen, rules} = await setup()
    rules.add({id: 'all', action: {type: 'drop-request', mode: 'reset'}})
    const raw = new grpc.Client(new URL(proxy.url).host, grpc.credentials.createInsecure())
    cleanups.push(() => raw.close())
    const method = catalog.method('bank.NaiveBank/Watch')
    if (!method) throw new Error('no Watch method')
    const stream = raw.makeServerStreamRequest(
      method.path,
      method.definition.requestSerialize as (v: object) => Buffer,
      method.definition.responseDeserialize as (b: Buffer) => object,
      {account: 'w'},
    )
    const messages: unknown[] = []
    for await (const message of stream) messages.push(message)
    expect(messages).toEqual([1, 2, 3].map((n) => ({account: 'w', balance: n, deposits: n})))
    expect(seen.of('request')[0]?.detail).toMatchObject({targetable: false, reason: 'streaming call'})
    expect(seen.of('fault')).toEqual([])
  })

  it('reconnects to the server after it restarted', async () => {
    const {bank, client, seen} = await setup()
    await send(client)
    bank.close()
    const down = await send(client)
    expect(down).toMatchObject({status: 'UNAVAILABLE', classification: 'retry'})
    expect(seen.of('error').some((e) => e.detail?.phase === 'delivery')).toBe(true)
    // The refused call never reached a server: it is no delivery.
    expect(seen.of('request')).toHaveLength(2)
    expect(seen.of('delivery')).toHaveLength(1)
    const again = await startTestBank({port: bank.port})
    cleanups.push(() => again.close())
    expect(await send(client)).toMatchObject({status: 'OK'})
    expect(again.state.deliveries).toBe(1)
  })
})

describe('GrpcFaultProxy: faults on the wire', () => {
  it('drop-request (timeout) holds the call until the client deadline; nothing reaches the server', async () => {
    const {bank, client, fault, seen, proxy} = await setup()
    fault({type: 'drop-request', mode: 'timeout'})
    // The client's own timer or grpc-js's deadline, whichever fires first: either is a timeout.
    const err = await rejection(send(client, 1, 200))
    expect(err instanceof GrpcTransportError ? err.code : err.name).toMatch(/^(DEADLINE_EXCEEDED|TimeoutError)$/)
    await proxy.tracker.waitQuiet('t1', 10)
    expect(bank.state.deliveries).toBe(0)
    expect(seen.of('fault')[0]).toMatchObject({fault: 'drop-request', phase: 'request'})
    expect(seen.of('delivery')).toEqual([])
  })

  it('drop-request (reset) resets the stream: an indeterminate transport error', async () => {
    const {bank, client, fault} = await setup()
    fault({type: 'drop-request', mode: 'reset'})
    const err = await rejection(send(client))
    expect(err).toBeInstanceOf(GrpcTransportError)
    expect(err.message).toMatch(/RST_STREAM with code 2/)
    expect(bank.state.deliveries).toBe(0)
  })

  it('drop-reply executes the call and the client never hears back', async () => {
    const {bank, client, fault, seen, proxy} = await setup()
    fault({type: 'drop-reply', mode: 'timeout'})
    await rejection(send(client, 1, 300))
    await proxy.tracker.waitQuiet('t1', 10)
    expect(bank.state.deliveries).toBe(1)
    expect(seen.of('reply-end')[0]?.detail).toMatchObject({rpcStatus: 'OK'})
    expect(seen.of('forwarded')).toEqual([])
    const types = seen.log.filter((e) => e.trial === 't1').map((e) => e.type)
    expect(types.indexOf('fault')).toBeGreaterThan(types.indexOf('reply-end'))
  })

  it('drop-reply (reset) executes the call, then resets the stream', async () => {
    const {bank, client, fault} = await setup()
    fault({type: 'drop-reply', mode: 'reset'})
    expect(await rejection(send(client))).toBeInstanceOf(GrpcTransportError)
    expect(bank.state.deliveries).toBe(1)
  })

  for (const mode of ['sequential', 'concurrent', 'delayed'] as const) {
    it(`duplicate (${mode}) makes a real second call; the client gets the first reply`, async () => {
      const {bank, client, fault, seen, proxy} = await setup()
      fault({type: 'duplicate', mode, delay: mode === 'delayed' ? 30 : 0})
      const reply = await send(client)
      expect(reply.classification).toBe('ok')
      await proxy.tracker.waitQuiet('t1', 10)
      expect(bank.state.deliveries).toBe(2)
      expect(seen.of('delivery').map((e) => e.delivery)).toEqual([1, 2])
      expect(bank.state.metadata[1]).toMatchObject({'x-request-id': 'op-1'})
      const ends = seen.of('reply-end')
      expect(ends).toHaveLength(2)
      const first = ends.find((e) => e.delivery === 1)
      expect(JSON.parse(first?.detail?.body as string)).toEqual(reply.body)
      expect(seen.of('forwarded')).toHaveLength(1)
    })
  }

  it('delay (request) past the client deadline: the late call still reaches the server', async () => {
    const {bank, client, fault, seen, proxy} = await setup()
    fault({type: 'delay', phase: 'request', delay: 250})
    await rejection(send(client, 1, 100))
    expect(bank.state.deliveries).toBe(0)
    await proxy.tracker.waitQuiet('t1', 10)
    expect(bank.state.deliveries).toBe(1)
    expect(seen.of('fault')[0]).toMatchObject({fault: 'delay', phase: 'request', detail: {delay: 250}})
  })

  it('delay (reply) holds the server reply, then passes it on', async () => {
    const {bank, client, fault, seen} = await setup()
    fault({type: 'delay', phase: 'reply', delay: 60})
    const started = performance.now()
    const reply = await send(client)
    expect(performance.now() - started).toBeGreaterThanOrEqual(55)
    expect(reply.classification).toBe('ok')
    expect(bank.state.deliveries).toBe(1)
    const types = seen.log.filter((e) => e.trial === 't1').map((e) => e.type)
    expect(types.indexOf('fault')).toBeLessThan(types.indexOf('forwarded'))
  })

  it('reset mid-reply sends part of the reply, then RST_STREAM', async () => {
    const {bank, client, fault, seen} = await setup()
    fault({type: 'reset', phase: 'mid-reply'})
    expect(await rejection(send(client))).toBeInstanceOf(GrpcTransportError)
    expect(bank.state.deliveries).toBe(1)
    const f = seen.of('fault')[0]
    expect(f).toMatchObject({fault: 'reset', phase: 'mid-reply', detail: {rstCode: 2}})
    expect(f?.detail?.bytesSent).toBeGreaterThan(0)
    expect(f?.detail?.bytesSent).toBeLessThan(f?.detail?.of as number)
  })

  it('status (request) answers the chosen status without forwarding', async () => {
    const {bank, client, fault, seen} = await setup()
    fault({type: 'status', status: 'UNAVAILABLE', phase: 'request'})
    expect(await send(client)).toMatchObject({status: 'UNAVAILABLE', classification: 'retry'})
    expect(bank.state.deliveries).toBe(0)
    expect(seen.of('fault')[0]).toMatchObject({fault: 'status', phase: 'request', detail: {status: 'UNAVAILABLE', forwarded: false}})
  })

  it('status (reply) answers the chosen status after the server executed the call', async () => {
    const {bank, client, fault, seen} = await setup()
    fault({type: 'status', status: 'DEADLINE_EXCEEDED', phase: 'reply'})
    // A DEADLINE_EXCEEDED answer does not say whether the call ran: retried like a timeout.
    expect(await rejection(send(client))).toBeInstanceOf(GrpcTransportError)
    expect(bank.state.deliveries).toBe(1)
    expect(seen.of('reply-end')[0]?.detail).toMatchObject({rpcStatus: 'OK'})
    expect(seen.of('fault')[0]).toMatchObject({fault: 'status', phase: 'reply', detail: {forwarded: true}})
  })

  it('crash-before-reply calls the crash hook once the server answered, and the client never gets the reply', async () => {
    const {bank, client, fault, crashes, seen} = await setup()
    fault({type: 'crash-before-reply'})
    await rejection(send(client))
    await seen.waitFor((e) => e.type === 'fault')
    expect(bank.state.deliveries).toBe(1)
    expect(crashes).toEqual([expect.objectContaining({point: 'before-reply', trial: 't1'})])
    expect(seen.of('forwarded')).toEqual([])
  })

  it('crash-after-reply passes the reply on, calls the hook, then delivers the call again', async () => {
    const {bank, client, fault, crashes, proxy} = await setup()
    fault({type: 'crash-after-reply'})
    expect((await send(client)).classification).toBe('ok')
    await proxy.tracker.waitQuiet('t1', 10)
    expect(crashes.map((c) => c.point)).toEqual(['after-reply'])
    expect(bank.state.deliveries).toBe(2)
  })

  it('client-abort sends the whole call on its own connection, then drops both sides', async () => {
    const {bank, client, fault, seen, proxy} = await setup()
    fault({type: 'client-abort'})
    expect(await rejection(send(client))).toBeInstanceOf(GrpcTransportError)
    await proxy.tracker.waitQuiet('t1', 10)
    expect(bank.state.deliveries).toBe(1)
    expect(seen.of('fault')[0]).toMatchObject({fault: 'client-abort', phase: 'after-request-sent'})
  })
})

describe('GrpcFaultProxy: malformed traffic', () => {
  function rawCall(url: string, headers: http2.OutgoingHttpHeaders, body: Buffer): Promise<http2.IncomingHttpHeaders> {
    return new Promise((resolve, reject) => {
      const session = http2.connect(url)
      session.on('error', reject)
      const req = session.request({':method': 'POST', ':path': '/bank.NaiveBank/Deposit', 'content-type': 'application/grpc', te: 'trailers', ...headers})
      let head: http2.IncomingHttpHeaders = {}
      req.on('response', (h) => (head = h))
      req.on('trailers', (t) => (head = {...head, ...t}))
      req.on('close', () => {
        session.close()
        resolve(head)
      })
      req.on('error', () => undefined)
      req.resume()
      req.end(body)
    })
  }

  it('a truncated message closes that stream with INTERNAL and an error event; the proxy keeps serving', async () => {
    const {bank, client, seen, proxy} = await setup()
    const truncated = Buffer.concat([Buffer.from([0, 0, 0, 0, 10]), Buffer.from([1, 2, 3])])
    const head = await rawCall(proxy.url, {}, truncated)
    expect(head['grpc-status']).toBe('13')
    const error = await seen.waitFor((e) => e.type === 'error')
    expect(error.detail?.message).toMatch(/malformed gRPC request: message declares 10 bytes but only 3 follow/)
    expect(bank.state.deliveries).toBe(0)
    expect((await send(client)).classification).toBe('ok')
  })

  it('two messages on a unary call are malformed too', async () => {
    const {seen, proxy} = await setup()
    const two = Buffer.concat([frameMessage(Buffer.alloc(0)), frameMessage(Buffer.alloc(0))])
    expect((await rawCall(proxy.url, {}, two))['grpc-status']).toBe('13')
    expect((await seen.waitFor((e) => e.type === 'error')).detail?.message).toMatch(/exactly one message, got 2/)
  })

  it('a call that is not gRPC gets 415 and an error event', async () => {
    const {seen, proxy} = await setup()
    const head = await rawCall(proxy.url, {'content-type': 'application/json'}, Buffer.from('{}'))
    expect(head[':status']).toBe(415)
    expect((await seen.waitFor((e) => e.type === 'error')).detail?.message).toMatch(/not a gRPC call/)
  })

  it('bytes that are not HTTP/2 close that connection and become an error event', async () => {
    const {client, seen, proxy} = await setup()
    const socket = net.connect(proxy.port, '127.0.0.1')
    socket.on('error', () => undefined)
    socket.resume()
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n')
    await new Promise((resolve) => socket.once('close', resolve))
    const error = await seen.waitFor((e) => e.type === 'error')
    expect(error.detail?.message).toMatch(/malformed HTTP\/2 traffic/)
    expect((await send(client)).classification).toBe('ok')
  })
})
