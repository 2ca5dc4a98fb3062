import {readFileSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {join} from 'node:path'
import {request} from 'undici'
import {afterEach, describe, expect, it} from 'vitest'
import type {HarEntry} from '../../src/record/har.js'
import {encodeFrame, FrameDecoder} from '../../src/proxy/tcp/framing.js'
import {jsonFrame, startFramedServer} from '../helpers/framed-server.js'
import {runCli} from '../helpers/run-cli.js'
import {startHttpServer} from '../helpers/servers.js'
import {testDir} from '../helpers/temp-dir.js'
import {harErrors, harValidator} from './har-validator.js'
import {startRecordCli} from './record-process.js'

const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

describe('faultline record (the real binary)', () => {
  it('on Ctrl-C finishes a complete, valid HAR, with a request still waiting recorded as cut off', async () => {
    let arrived: () => void = () => undefined
    const hanging = new Promise<void>((resolve) => (arrived = resolve))
    const server = await startHttpServer((req, res) => {
      if (req.url === '/hang') return arrived() // never answered
      res.writeHead(200, {'content-type': 'text/plain'})
      res.end(`ok ${req.url}`)
    })
    cleanups.push(server.close)
    const out = join(testDir('fl-record-cli-'), 'traffic.har')
    const {url, output, stop} = await startRecordCli(['--upstream', server.url, '--out', out, '--redact', 'x-api-key'])
    for (const path of ['/a', '/b/7', '/c']) {
      const r = await request(`${url}${path}`, {headers: {authorization: 'Bearer cli-secret-token', 'x-api-key': 'cli-secret-key'}})
      expect(await r.body.text()).toBe(`ok ${path}`)
    }
    const cutOff = request(`${url}/hang`).catch((err: Error) => err)
    await hanging
    expect(await stop('SIGINT')).toBe(0)
    expect(await cutOff).toBeInstanceOf(Error)

    const text = readFileSync(out, 'utf8')
    const har = JSON.parse(text) as {log: {entries: HarEntry[]}}
    expect(harErrors(harValidator(), har)).toBe('')
    expect(har.log.entries.map((e) => [new URL(e.request.url).pathname, e.response.status])).toEqual([
      ['/a', 200],
      ['/b/7', 200],
      ['/c', 200],
      ['/hang', 0],
    ])
    expect(har.log.entries[3]?.response._error).toBeDefined()
    expect(text).not.toContain('cli-secret')
    expect(output().stdout).toMatch(/wrote 4 requests to .*traffic\.har/)
    expect(output().stderr).toMatch(/recorded 4: GET \/a 1 {2}GET \/b\/\{id\} 1 {2}GET \/c 1 {2}GET \/hang 1/)
  })

  it('records framed TCP as JSON lines with the framing and route flags, and exits 0 on SIGTERM', async () => {
    const framing = {type: 'length-prefixed', headerBytes: 2, byteOrder: 'little', maxFrameBytes: 0xffff} as const
    const server = await startFramedServer(framing, (frame) => ({reply: jsonFrame({echo: JSON.parse(frame.toString()) as unknown})}))
    cleanups.push(server.close)
    const out = join(testDir('fl-record-cli-'), 'frames.jsonl')
    const args = ['--protocol', 'tcp', '--upstream', `tcp://127.0.0.1:${server.port}`, '--framing', 'length-prefixed', '--header-bytes', '2', '--byte-order', 'little', '--route', '$.op', '--out', out]
    const {url, stop} = await startRecordCli(args)
    const socket = net.connect({port: Number(new URL(url).port), host: '127.0.0.1'})
    cleanups.push(() => socket.destroy())
    const decoder = new FrameDecoder(framing)
    const reply = new Promise<Buffer[]>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        const frames = decoder.push(chunk)
        if (frames.length > 0) resolve(frames)
      }),
    )
    socket.write(encodeFrame(framing, jsonFrame({op: 'get', key: 'k'})))
    expect((await reply).map(String)).toEqual(['{"echo":{"op":"get","key":"k"}}'])
    expect(await stop('SIGTERM')).toBe(0)
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.map((l) => [l.direction, l.route, l.message])).toEqual([
      ['request', 'get', {op: 'get', key: 'k'}],
      ['reply', 'get', {echo: {op: 'get', key: 'k'}}],
    ])
  })

  it('refuses to overwrite an existing --out (exit 2, one line) and leaves it as it was', async () => {
    const out = join(testDir('fl-record-cli-'), 'traffic.har')
    writeFileSync(out, 'keep me')
    const result = await runCli(['record', '--listen', '127.0.0.1:0', '--upstream', 'http://127.0.0.1:9', '--out', out])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^faultline: --out .*traffic\.har: the file exists; remove it, choose another name, or pass --force to overwrite it$/m)
    expect(readFileSync(out, 'utf8')).toBe('keep me')
  })

  it('says in one line what to write instead of a flag that cannot work (exit 2), and creates no file', async () => {
    const dir = testDir('fl-record-cli-')
    const out = join(dir, 'x.har')
    const result = await runCli(['record', '--upstream', 'grpc://127.0.0.1:9', '--out', out])
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe('faultline: --upstream grpc://127.0.0.1:9: write the http server\'s address as http://127.0.0.1:3000')
    const proto = await runCli(['record', '--protocol', 'grpc', '--upstream', 'grpc://127.0.0.1:9', '--proto', join(dir, 'missing.proto'), '--out', out])
    expect(proto.code).toBe(2)
    expect(proto.stderr.trim().split('\n')).toHaveLength(1)
    expect(proto.stderr.trim()).toMatch(/^faultline: --proto .*missing\.proto: no such file; give the path of the \.proto that declares the server's services$/)
    expect(() => readFileSync(out)).toThrow()
  })
})
