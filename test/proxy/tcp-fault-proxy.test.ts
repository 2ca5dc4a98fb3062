import {once} from 'node:events'
import net from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import type {FaultAction} from '../../src/proxy/fault.js'
import type {CrashContext, ProxyHooks} from '../../src/proxy/proxy-hooks.js'
import {RuleSet} from '../../src/proxy/rule-set.js'
import {FramedConnection} from '../../src/proxy/tcp/framed-client.js'
import {FrameDecoder, type Framing} from '../../src/proxy/tcp/framing.js'
import {MARKER_FIELD} from '../../src/proxy/tcp/request-frame.js'
import {TcpFaultProxy} from '../../src/proxy/tcp/tcp-fault-proxy.js'
import {untilEvents} from '../helpers/event-wait.js'
import {jsonFrame, startFramedServer} from '../helpers/framed-server.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

const NDJSON: Framing = {type: 'ndjson', maxFrameBytes: 1024}
const PREFIXED: Framing = {type: 'length-prefixed', headerBytes: 4, byteOrder: 'big', maxFrameBytes: 1024}

/** A framed server that records every frame it gets and answers {id, n, echo} (n counts executions). */
async function startRecordingServer(framing: Framing, options: {replyDelay?: (frame: Record<string, unknown>) => number} = {}) {
  const received: Buffer[] = []
  const server = await startFramedServer(framing, (frame) => {
    received.push(frame)
    const message = JSON.parse(frame.toString()) as Record<string, unknown>
    return {reply: jsonFrame({id: message.id, n: received.length, echo: message.op}), delayMs: options.replyDelay?.(message) ?? 0}
  })
  cleanups.push(server.close)
  return {port: server.port, received}
}

async function setup(framing: Framing, action?: FaultAction, extra: {replyId?: string; replyDelay?: (frame: Record<string, unknown>) => number; hooks?: ProxyHooks} = {}) {
  const upstream = await startRecordingServer(framing, {replyDelay: extra.replyDelay})
  const events = new EventLog()
  const seen: ProxyEvent[] = []
  events.on('event', (e) => seen.push(e))
  const rules = new RuleSet(1)
  if (action) rules.add({id: 'r', action, match: {fields: {'$.op': 'hit'}}})
  const proxy = new TcpFaultProxy({upstream: `tcp://127.0.0.1:${upstream.port}`, events, rules, framing, replyId: extra.replyId, requestId: '$.requestId', captureBytes: 1024, hooks: extra.hooks})
  await proxy.start()
  cleanups.push(() => proxy.close())
  const connect = async () => {
    const conn = await FramedConnection.open('127.0.0.1', proxy.port, framing)
    cleanups.push(() => conn.close())
    return conn
  }
  const ask = async (conn: FramedConnection, frame: unknown, signal?: AbortSignal) => JSON.parse((await conn.request(Buffer.from(JSON.stringify(frame)), signal)).toString()) as Record<string, unknown>
  return {upstream, proxy, events, seen, connect, ask}
}

const ofType = (seen: ProxyEvent[], type: string) => seen.filter((e) => e.type === type)

describe('TcpFaultProxy', () => {
  for (const framing of [NDJSON, PREFIXED]) {
    it(`forwards ${framing.type} frames and replies; unmarked frames pass byte for byte`, async () => {
      const {connect, upstream, seen} = await setup(framing)
      const conn = await connect()
      const raw = Buffer.from('{ "op" : "a",  "n": 1.50 }')
      const reply = JSON.parse((await conn.request(raw)).toString())
      expect(reply).toMatchObject({n: 1, echo: 'a'})
      expect(upstream.received[0]?.equals(raw)).toBe(true)
      expect(ofType(seen, 'delivery')).toHaveLength(1)
      expect(ofType(seen, 'forwarded')).toHaveLength(1)
    })
  }

  it('reads the trial and attempt markers and strips them before the server sees the frame', async () => {
    const {connect, ask, upstream, seen} = await setup(NDJSON)
    await ask(await connect(), {op: 'a', requestId: 'op-1', [MARKER_FIELD]: {trial: 't0.4', attempt: 2}})
    expect(JSON.parse(upstream.received[0]?.toString() ?? '')).toEqual({op: 'a', requestId: 'op-1'})
    expect(ofType(seen, 'request')[0]).toMatchObject({trial: 't0.4', attempt: 2, operation: 'op-1'})
    expect(ofType(seen, 'reply-end')[0]).toMatchObject({trial: 't0.4', attempt: 2, delivery: 1})
  })

  it('closes the connection and records an error for an oversized length header', async () => {
    const {proxy, seen, events, upstream} = await setup(PREFIXED)
    const socket = net.connect(proxy.port, '127.0.0.1')
    cleanups.push(() => socket.destroy())
    socket.on('error', () => undefined)
    await once(socket, 'connect')
    const header = Buffer.alloc(4)
    header.writeUInt32BE(5000)
    socket.write(header)
    await once(socket, 'close')
    await untilEvents(events, () => ofType(seen, 'error').length > 0)
    expect(String(ofType(seen, 'error')[0]?.detail?.message)).toMatch(/more than the limit of 1024/)
    expect(upstream.received).toHaveLength(0)
  })

  it('closes the connection and records an error for a frame that is not JSON', async () => {
    const {proxy, seen, events, upstream} = await setup(NDJSON)
    const socket = net.connect(proxy.port, '127.0.0.1')
    cleanups.push(() => socket.destroy())
    socket.on('error', () => undefined)
    await once(socket, 'connect')
    socket.write('{"op":"a"}\n{not json\n')
    await once(socket, 'close')
    await untilEvents(events, () => ofType(seen, 'error').length > 0)
    expect(String(ofType(seen, 'error')[0]?.detail?.message)).toMatch(/not JSON/)
    expect(upstream.received.length).toBeLessThanOrEqual(1)
  })

  for (const mode of ['sequential', 'concurrent', 'delayed'] as const) {
    it(`duplicate (${mode}) delivers the frame twice; the client gets one reply, the first`, async () => {
      const {connect, ask, upstream, seen, events} = await setup(NDJSON, {type: 'duplicate', mode, delay: 20})
      const conn = await connect()
      const reply = await ask(conn, {op: 'hit', id: 1})
      await untilEvents(events, () => ofType(seen, 'reply-end').length === 2)
      expect(upstream.received).toHaveLength(2)
      expect(ofType(seen, 'delivery').map((d) => d.delivery)).toEqual([1, 2])
      const first = ofType(seen, 'reply-end').find((e) => e.delivery === 1)
      expect(JSON.parse(String(first?.detail?.body)).n).toBe(reply.n)
      // The duplicate's reply never reaches the client: the next answer is the next request's.
      expect(await ask(conn, {op: 'next', id: 2})).toMatchObject({echo: 'next', n: 3})
    })
  }

  it('drop-reply lets the server execute and never answers; reset mode resets the connection', async () => {
    const {connect, ask, upstream, seen, events} = await setup(NDJSON, {type: 'drop-reply', mode: 'reset'})
    await expect(ask(await connect(), {op: 'hit'})).rejects.toThrow()
    await untilEvents(events, () => ofType(seen, 'fault').length === 1)
    expect(upstream.received).toHaveLength(1)
    expect(seen.filter((e) => ['delivery', 'reply-end', 'fault'].includes(e.type)).map((e) => e.type)).toEqual(['delivery', 'reply-end', 'fault'])
  })

  it('drop-request never forwards; the client times out', async () => {
    const {connect, ask, upstream, seen, events} = await setup(NDJSON, {type: 'drop-request', mode: 'timeout'})
    const ac = new AbortController()
    const pending = ask(await connect(), {op: 'hit'}, ac.signal)
    await untilEvents(events, () => ofType(seen, 'fault').length === 1)
    ac.abort()
    await expect(pending).rejects.toThrow()
    expect(upstream.received).toHaveLength(0)
  })

  it('keeps request order towards the client when replies are paired in order', async () => {
    // The first request is delayed at the proxy: its reply must still come first.
    const {connect, upstream} = await setup(NDJSON, {type: 'delay', phase: 'reply', delay: 60})
    const conn = await connect()
    const socket = conn.socket
    const decoder = new FrameDecoder(NDJSON)
    const replies: Array<Record<string, unknown>> = []
    const done = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) replies.push(JSON.parse(f.toString()))
        if (replies.length === 2) resolve()
      }),
    )
    socket.write('{"op":"hit"}\n{"op":"second"}\n')
    await done
    expect(replies.map((r) => r.echo)).toEqual(['hit', 'second'])
    expect(upstream.received).toHaveLength(2)
  })

  it('pairs replies by id when the server answers out of order', async () => {
    const {proxy, upstream} = await setup(NDJSON, undefined, {replyId: '$.id', replyDelay: (m) => (m.op === 'slow' ? 50 : 0)})
    const socket = net.connect(proxy.port, '127.0.0.1')
    cleanups.push(() => socket.destroy())
    await once(socket, 'connect')
    const decoder = new FrameDecoder(NDJSON)
    const replies: Array<Record<string, unknown>> = []
    const done = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) replies.push(JSON.parse(f.toString()))
        if (replies.length === 2) resolve()
      }),
    )
    socket.write('{"op":"slow","id":"a"}\n{"op":"fast","id":"b"}\n')
    await done
    expect(replies.map((r) => [r.id, r.echo])).toEqual([
      ['b', 'fast'],
      ['a', 'slow'],
    ])
    expect(upstream.received).toHaveLength(2)
  })

  it('closes the client connection and leaves no timer behind when the proxy closes during a held drop', async () => {
    const {connect, ask, proxy, seen, events} = await setup(NDJSON, {type: 'drop-reply', mode: 'timeout'})
    const pending = ask(await connect(), {op: 'hit'})
    await untilEvents(events, () => ofType(seen, 'fault').length === 1)
    await proxy.close()
    await expect(pending).rejects.toThrow(/closed/)
  })
})

/** The faults the shared fault files (src/proxy/faults) run on framed TCP, beyond drop and duplicate. */
describe('TcpFaultProxy message faults', () => {
  const faultEvents = (seen: ProxyEvent[]) => ofType(seen, 'fault').map((e) => ({phase: e.phase, detail: e.detail}))

  for (const phase of ['request', 'reply'] as const) {
    it(`delay (${phase}) still answers the client once; the server executes once`, async () => {
      const {connect, ask, upstream, seen} = await setup(NDJSON, {type: 'delay', phase, delay: 20})
      expect(await ask(await connect(), {op: 'hit'})).toMatchObject({echo: 'hit', n: 1})
      expect(upstream.received).toHaveLength(1)
      expect(faultEvents(seen)).toEqual([{phase, detail: {label: `delay(${phase} 20ms)`, delay: 20}}])
    })
  }

  it('reset (mid-reply) sends part of the reply frame, then resets the client', async () => {
    const {connect, ask, upstream, seen} = await setup(PREFIXED, {type: 'reset', phase: 'mid-reply'})
    await expect(ask(await connect(), {op: 'hit'})).rejects.toThrow()
    expect(upstream.received).toHaveLength(1)
    const [fault] = ofType(seen, 'fault')
    expect(fault?.phase).toBe('mid-reply')
    expect(Number(fault?.detail?.bytesSent)).toBeLessThan(Number(fault?.detail?.of))
  })

  it('client-abort delivers the whole frame on its own connection, then closes the client', async () => {
    let arrived!: () => void
    const atServer = new Promise<void>((resolve) => (arrived = resolve))
    const {connect, ask, upstream, seen} = await setup(NDJSON, {type: 'client-abort'}, {replyDelay: () => (arrived(), 0)})
    await expect(ask(await connect(), {op: 'hit'})).rejects.toThrow()
    await atServer
    expect(upstream.received).toHaveLength(1)
    expect(ofType(seen, 'fault').map((e) => e.phase)).toEqual(['after-request-sent'])
  })

  it('crash-before-reply asks the supervisor to kill the server once it answered, and resets the client', async () => {
    const crashes: CrashContext[] = []
    const {connect, ask, upstream, seen} = await setup(NDJSON, {type: 'crash-before-reply'}, {hooks: {crash: async (c) => void crashes.push(c)}})
    await expect(ask(await connect(), {op: 'hit'})).rejects.toThrow()
    expect(upstream.received).toHaveLength(1)
    expect(crashes.map((c) => c.point)).toEqual(['before-reply'])
    expect(ofType(seen, 'forwarded')).toHaveLength(0)
  })

  it('crash-after-reply answers the client, asks for the kill, then delivers the frame again', async () => {
    const crashes: CrashContext[] = []
    const {connect, ask, upstream, seen, events} = await setup(NDJSON, {type: 'crash-after-reply'}, {hooks: {crash: async (c) => void crashes.push(c)}})
    expect(await ask(await connect(), {op: 'hit'})).toMatchObject({n: 1})
    await untilEvents(events, () => ofType(seen, 'reply-end').length === 2)
    expect(upstream.received).toHaveLength(2)
    expect(crashes.map((c) => c.point)).toEqual(['after-reply'])
  })

  it('a crash fault without a supervisor is recorded as an error, and the reply still reaches the client', async () => {
    const {connect, ask, seen, events} = await setup(NDJSON, {type: 'crash-after-reply'})
    expect(await ask(await connect(), {op: 'hit'})).toMatchObject({n: 1})
    await untilEvents(events, () => ofType(seen, 'error').length === 1)
    expect(ofType(seen, 'error').map((e) => e.detail?.message)).toEqual(['no supervisor: crash faults need a server block'])
  })
})
