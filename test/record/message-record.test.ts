import {once} from 'node:events'
import {readFileSync} from 'node:fs'
import net from 'node:net'
import {join} from 'node:path'
import * as grpc from '@grpc/grpc-js'
import {loadSync} from '@grpc/proto-loader'
import {afterEach, describe, expect, it} from 'vitest'
import {ProtoCatalog} from '../../src/grpc/proto.js'
import type {MessageLine} from '../../src/record/message-line.js'
import {claimOutputFile} from '../../src/record/output-file.js'
import {startRecorder, type Recorder, type RecorderOptions} from '../../src/record/recorder.js'
import {Redaction} from '../../src/record/redaction.js'
import {encodeFrame, FrameDecoder, type Framing} from '../../src/proxy/tcp/framing.js'
import {jsonFrame, startFramedServer} from '../helpers/framed-server.js'
import {PROTO_FILE, startTestBank} from '../helpers/grpc.js'
import {testDir} from '../helpers/temp-dir.js'

const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function record(options: Pick<RecorderOptions, 'protocol' | 'upstream' | 'catalog' | 'framing' | 'routePath'>): Promise<{recorder: Recorder; out: string}> {
  const out = join(testDir('fl-record-'), 'messages.jsonl')
  const recorder = await startRecorder({...options, listenHost: '127.0.0.1', listenPort: 0, fd: claimOutputFile(out, false), creator: {name: 'faultline', version: 'test'}, redaction: new Redaction()})
  cleanups.push(() => recorder.close())
  return {recorder, out}
}

function lines(out: string): MessageLine[] {
  return readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as MessageLine)
}

type BankClient = grpc.Client & {
  Deposit(req: object, cb: (err: grpc.ServiceError | null, reply: Record<string, unknown>) => void): void
  Watch(req: object): grpc.ClientReadableStream<Record<string, unknown>>
}

function bankClient(address: string): BankClient {
  const proto = grpc.loadPackageDefinition(loadSync(PROTO_FILE, {keepCase: true, longs: Number, defaults: true})) as unknown as {
    bank: {NaiveBank: new (address: string, credentials: grpc.ChannelCredentials) => BankClient}
  }
  const client = new proto.bank.NaiveBank(address, grpc.credentials.createInsecure())
  cleanups.push(() => client.close())
  return client
}

const deposit = (client: BankClient, req: object) =>
  new Promise<Record<string, unknown>>((resolve, reject) => client.Deposit(req, (err, reply) => (err ? reject(err) : resolve(reply))))

describe('faultline record over gRPC', () => {
  it('passes calls through unchanged and writes each message decoded with the .proto as a JSON line', async () => {
    const bank = await startTestBank()
    cleanups.push(bank.close)
    const {recorder, out} = await record({protocol: 'grpc', upstream: bank.url, catalog: ProtoCatalog.load(PROTO_FILE)})
    const direct = await deposit(bankClient(`127.0.0.1:${bank.port}`), {account: 'alice', amount: 5, request_id: 'op-1'})
    const proxied = await deposit(bankClient(new URL(recorder.url).host), {account: 'alice', amount: 7, request_id: 'op-2'})
    expect(direct).toEqual({account: 'alice', balance: 1, transaction: 'tx1'})
    expect(proxied).toEqual({account: 'alice', balance: 2, transaction: 'tx2'})
    const watched: unknown[] = []
    const stream = bankClient(new URL(recorder.url).host).Watch({account: 'bob'})
    stream.on('data', (m) => watched.push(m))
    await once(stream, 'end')
    expect(watched).toHaveLength(3)
    await recorder.close()

    const [request, reply, watchRequest, watchReply] = lines(out)
    expect(request).toMatchObject({direction: 'request', route: 'bank.NaiveBank/Deposit', message: {account: 'alice', amount: 7, request_id: 'op-2'}})
    expect(reply).toMatchObject({direction: 'reply', route: 'bank.NaiveBank/Deposit', status: 'OK', ok: true, message: {account: 'alice', balance: 2, transaction: 'tx2'}})
    expect(reply?.request).toBe(request?.request)
    expect(Date.parse(request?.time as string)).not.toBeNaN()
    // A streaming call passes through unheld; its request is still decoded, its replies kept as bytes.
    expect(watchRequest).toMatchObject({direction: 'request', route: 'bank.NaiveBank/Watch', message: {account: 'bob'}})
    expect(watchReply).toMatchObject({direction: 'reply', route: 'bank.NaiveBank/Watch', status: 'OK'})
    expect(watchReply?.message).toHaveProperty('base64')
    expect(recorder.counts.summary()).toBe('bank.NaiveBank/Deposit 1  bank.NaiveBank/Watch 1')
  })

  it('without a .proto writes the messages as base64', async () => {
    const bank = await startTestBank()
    cleanups.push(bank.close)
    const {recorder, out} = await record({protocol: 'grpc', upstream: bank.url})
    await deposit(bankClient(new URL(recorder.url).host), {account: 'carol', amount: 3})
    await recorder.close()
    const [request, reply] = lines(out)
    const bytes = (line: MessageLine | undefined) => Buffer.from((line?.message as {base64: string}).base64, 'base64')
    // The protobuf bytes of each message (without gRPC's length prefix).
    const proto = grpc.loadPackageDefinition(loadSync(PROTO_FILE, {keepCase: true, longs: Number, defaults: true}))
    const types = (proto.bank as Record<string, {service: grpc.ServiceDefinition}>).NaiveBank?.service.Deposit as grpc.MethodDefinition<object, object>
    expect(types.requestDeserialize(bytes(request))).toMatchObject({account: 'carol', amount: 3})
    expect(types.responseDeserialize(bytes(reply))).toMatchObject({account: 'carol', balance: 1, transaction: 'tx1'})
  })
})

/** One framed-TCP client on `port`: send frames, read as many replies. */
async function tcpExchange(port: number, framing: Framing, frames: Buffer[]): Promise<Buffer[]> {
  const socket = net.connect({port, host: '127.0.0.1'})
  cleanups.push(() => socket.destroy())
  await once(socket, 'connect')
  const decoder = new FrameDecoder(framing)
  const replies: Buffer[] = []
  const done = new Promise<void>((resolve) =>
    socket.on('data', (chunk: Buffer) => {
      replies.push(...decoder.push(chunk))
      if (replies.length >= frames.length) resolve()
    }),
  )
  for (const frame of frames) socket.write(encodeFrame(framing, frame))
  await done
  socket.destroy()
  return replies
}

describe('faultline record over framed TCP', () => {
  const framings: Framing[] = [
    {type: 'ndjson', maxFrameBytes: 4096},
    {type: 'length-prefixed', headerBytes: 2, byteOrder: 'little', maxFrameBytes: 4096},
  ]
  for (const framing of framings) {
    it(`passes ${framing.type} frames through unchanged and writes them decoded`, async () => {
      let n = 0
      const server = await startFramedServer(framing, (frame) => {
        n += 1
        const req = JSON.parse(frame.toString()) as {op: string; id: number}
        return {reply: jsonFrame({id: req.id, result: {op: req.op, n}})}
      })
      cleanups.push(server.close)
      const {recorder, out} = await record({protocol: 'tcp', upstream: `tcp://127.0.0.1:${server.port}`, framing, routePath: '$.op'})
      const frames = [jsonFrame({op: 'increment', id: 1}), jsonFrame({op: 'get', id: 2})]
      const direct = await tcpExchange(server.port, framing, frames)
      const proxied = await tcpExchange(Number(new URL(recorder.url).port), framing, frames)
      expect(direct.map(String)).toEqual(['{"id":1,"result":{"op":"increment","n":1}}', '{"id":2,"result":{"op":"get","n":2}}'])
      expect(proxied.map(String)).toEqual(['{"id":1,"result":{"op":"increment","n":3}}', '{"id":2,"result":{"op":"get","n":4}}'])
      await recorder.close()
      const recorded = lines(out)
      // Requests and replies may interleave; each reply names the request it answers.
      const of = (route: string, direction: string) => recorded.filter((l) => l.route === route && l.direction === direction)
      expect(recorded).toHaveLength(4)
      expect(of('increment', 'request').map((l) => l.message)).toEqual([{op: 'increment', id: 1}])
      expect(of('get', 'request').map((l) => l.message)).toEqual([{op: 'get', id: 2}])
      expect(of('increment', 'reply').map((l) => l.message)).toEqual([{id: 1, result: {op: 'increment', n: 3}}])
      expect(of('get', 'reply').map((l) => l.message)).toEqual([{id: 2, result: {op: 'get', n: 4}}])
      expect(of('get', 'reply')[0]?.request).toBe(of('get', 'request')[0]?.request)
      expect(recorder.counts.summary()).toBe('increment 1  get 1')
    })
  }
})
