import {spawn} from 'node:child_process'
import {writeFileSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {echoServer, listen, Resources} from '../helpers/net.js'
import {testDir} from '../helpers/temp-dir.js'
import {cliEnv} from '../helpers/run-cli.js'

// Runs the compiled CLI: `npm test` builds dist/ first.
const root = fileURLToPath(new URL('../..', import.meta.url))
const res = new Resources()
afterEach(() => res.closeAll())

function run(args: string[]) {
  // As a user runs it: without vitest's NODE_ENV=test (which makes oclif look for TypeScript sources).
  const env = cliEnv()
  const child = spawn(process.execPath, ['bin/run.js', 'serve', ...args], {cwd: root, env})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  res.add(() => void (child.exitCode === null && child.kill('SIGKILL')))
  return {child, exited, out: () => stdout, err: () => stderr}
}

describe('faultline serve (spawned)', () => {
  it('prints seed and address, serves the API and config proxies, exits 0 on SIGTERM', async () => {
    const dir = testDir('faultline-serve-')
    const upstream = await listen(res.server(echoServer()))
    const config = join(dir, 'proxies.json')
    const events = join(dir, 'events.jsonl')
    writeFileSync(
      config,
      JSON.stringify([{name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}`}]),
    )
    const p = run(['--port', '0', '--seed', '11', '--config', config, '--events', events])
    const address = await new Promise<string>((resolve, reject) => {
      p.child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+)/.exec(p.out())
        if (m) resolve(m[1] as string)
      })
      p.child.on('exit', () => reject(new Error(`exited early: ${p.err()}`)))
    })
    expect(p.out()).toContain('seed 11')
    const version = await fetch(`${address}/version`)
    expect(version.status).toBe(200)
    expect(await version.json()).toHaveProperty('version')
    const proxies = (await (await fetch(`${address}/proxies`)).json()) as Record<string, {listen: string}>
    expect(proxies.echo?.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/)
    p.child.kill('SIGTERM')
    expect(await p.exited).toBe(0)
    const lines = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {type: string})
    expect(lines[0]?.type).toBe('listen')
  })

  it('a bad --config exits 2 with one line naming the file and the problem', async () => {
    const dir = testDir('faultline-serve-')
    const config = join(dir, 'bad.json')
    writeFileSync(config, '[{"name": "x"}]')
    const p = run(['--port', '0', '--config', config])
    expect(await p.exited).toBe(2)
    expect(p.err().trim().split('\n')).toEqual([
      `faultline: ${config}: proxy 1: missing required field: upstream`,
    ])
  })

  it('a taken port exits 3', async () => {
    const net = await import('node:net')
    const taken = await listen(res.server(net.createServer()))
    const p = run(['--port', String(taken)])
    expect(await p.exited).toBe(3)
    expect(p.err()).toMatch(/EADDRINUSE/)
  })

  it('the live log on stderr summarises a burst of connections instead of printing two lines for each', async () => {
    const net = await import('node:net')
    const dir = testDir('faultline-serve-')
    const upstream = await listen(res.server(echoServer()))
    const config = join(dir, 'proxies.json')
    writeFileSync(config, JSON.stringify([{name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream}`}]))
    const p = run(['--port', '0', '--seed', '11', '--config', config])
    const address = await new Promise<string>((resolve, reject) => {
      p.child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+)/.exec(p.out())
        if (m) resolve(m[1] as string)
      })
      p.child.on('exit', () => reject(new Error(`exited early: ${p.err()}`)))
    })
    const proxies = (await (await fetch(`${address}/proxies`)).json()) as Record<string, {listen: string}>
    const port = Number(proxies.echo?.listen.split(':').at(-1))
    const CONNECTIONS = 300 // 600 routine events, far more than the 50 lines a second printed
    await Promise.all(
      Array.from({length: CONNECTIONS}, async () => {
        const socket = res.socket(net.connect({port, host: '127.0.0.1'}))
        socket.end('x') // the echo server echoes and ends: the connection closes
        socket.resume()
        await new Promise((resolve) => socket.once('close', resolve))
      }),
    )
    p.child.kill('SIGTERM')
    expect(await p.exited).toBe(0)
    const lines = p.err().trim().split('\n')
    expect(lines.length).toBeLessThan(2 * CONNECTIONS)
    expect(p.err()).toMatch(/… \d+ more events not shown \(connection-/)
  })
})
