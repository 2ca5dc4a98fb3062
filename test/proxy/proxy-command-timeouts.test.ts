import {spawn} from 'node:child_process'
import {once} from 'node:events'
import net from 'node:net'
import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {startCountingServer} from '../helpers/servers.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

function run(args: string[]) {
  const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1'}
  delete env.NODE_ENV
  const child = spawn(process.execPath, [BIN, 'proxy', ...args], {env, stdio: ['ignore', 'pipe', 'pipe']})
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  return {child, out: () => out, err: () => err}
}

describe('faultline proxy client timeouts (the real binary)', () => {
  it('--headers-timeout closes a client that never finishes its request head, with 408, and logs it', async () => {
    const upstream = await startCountingServer()
    cleanups.push(upstream.close)
    const p = run(['--listen', '127.0.0.1:0', '--upstream', upstream.url, '--headers-timeout', '300ms', '--request-timeout', '1s', '--seed', '1'])
    const url = await new Promise<string>((resolve, reject) => {
      const look = () => {
        const m = /faultline proxy (http:\/\/127\.0\.0\.1:\d+)/.exec(p.out())
        if (m) resolve(m[1] as string)
      }
      p.child.stdout.on('data', look)
      p.child.once('exit', (code) => reject(new Error(`exited ${code}: ${p.err()}`)))
    })
    const socket = net.connect({port: Number(new URL(url).port), host: '127.0.0.1'})
    cleanups.push(() => socket.destroy())
    let reply = ''
    socket.on('data', (d: Buffer) => (reply += d.toString()))
    socket.on('error', () => undefined)
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n')
    await once(socket, 'close')
    expect(reply).toMatch(/^HTTP\/1\.1 408 /)
    const logged = new Promise<void>((resolve) => {
      const look = () => /request not received in time/.test(p.out()) && resolve()
      p.child.stdout.on('data', look)
      look()
    })
    await logged
    p.child.kill('SIGTERM')
    const [code] = await once(p.child, 'exit')
    expect(code).toBe(0)
  })

  it.each([
    [['--headers-timeout', 'soon'], /^faultline: --headers-timeout soon: must be a duration like 300ms/],
    [['--headers-timeout', '10s', '--request-timeout', '5s'], /headers timeout \(10000 ms\) must not exceed the request timeout \(5000 ms\); lower --headers-timeout or raise --request-timeout$/],
    [['--idle-timeout', '1e12'], /^faultline: --idle-timeout 1e12: must be a duration/],
    [['--idle-timeout', '30d'], /^faultline: --idle-timeout 30d: must be a duration/],
    [['--request-timeout', '9999999s'], /^faultline: --request-timeout 9999999s: must be at most 2147483647ms/],
    [['--fault', 'delay', '--delay', '99999999999s'], /^faultline: --delay 99999999999s: must be at most 2147483647ms/],
  ])('bad timeout flags %j are bad usage: exit 2, one line', async (flags, message) => {
    const p = run(['--listen', '127.0.0.1:0', '--upstream', 'http://127.0.0.1:9', ...flags])
    const [code] = await once(p.child, 'exit')
    expect(code).toBe(2)
    const lines = p.err().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(message)
  })
})
