import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {fileURLToPath} from 'node:url'
import {request} from 'undici'
import {afterEach, describe, expect, it} from 'vitest'
import {startCountingServer} from '../helpers/servers.js'
import {testDir} from '../helpers/temp-dir.js'
import {cliEnv} from '../helpers/run-cli.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

describe('faultline proxy (the real binary)', () => {
  it('forwards through an L7 fault rule, logs what it did, and exits 0 on SIGTERM', async () => {
    const upstream = await startCountingServer()
    cleanups.push(upstream.close)
    const env = cliEnv()
    const child = spawn(process.execPath, [BIN, 'proxy', '--listen', '127.0.0.1:0', '--upstream', upstream.url, '--fault', 'duplicate', '--mode', 'sequential', '--nth', '2', '--seed', '9'], {env, stdio: ['ignore', 'pipe', 'pipe']})
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    let out = ''
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /faultline proxy (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
        if (m) resolve(m[1] as string)
      })
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
    })
    expect(out).toMatch(/^seed 9$/m)
    for (let i = 0; i < 3; i++) {
      const r = await request(`${url}/items`, {method: 'POST', body: 'x'})
      await r.body.dump()
      expect(r.statusCode).toBe(200)
    }
    // The second request was delivered twice: 4 deliveries for 3 requests.
    const logged = new Promise<void>((resolve) => {
      const check = () => {
        if ((out.match(/ delivery /g) ?? []).length >= 4) resolve()
      }
      child.stdout.on('data', check)
      check()
    })
    await logged
    expect(upstream.state.hits).toBe(4)
    expect(out).toMatch(/fault duplicate request/)
    child.kill('SIGTERM')
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
  })

  it('rejects an upstream that is not an http:// URL as bad usage (exit 2, one line)', async () => {
    const env = {...process.env}
    delete env.NODE_ENV
    const child = spawn(process.execPath, [BIN, 'proxy', '--upstream', 'ftp://127.0.0.1:21', '--fault', 'drop-reply'], {env, stdio: ['ignore', 'pipe', 'pipe']})
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const [code] = await once(child, 'exit')
    expect(code).toBe(2)
    expect(err.trim().split('\n')).toEqual(['faultline: --upstream ftp://127.0.0.1:21: write the server\'s base URL as http://host:port, e.g. http://127.0.0.1:3000'])
  })

  it('rejects a fault selector without a fault as bad usage (exit 2, one line)', async () => {
    const env = {...process.env}
    delete env.NODE_ENV
    const child = spawn(process.execPath, [BIN, 'proxy', '--upstream', 'http://127.0.0.1:1', '--nth', '2'], {env, stdio: ['ignore', 'pipe', 'pipe']})
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const [code] = await once(child, 'exit')
    expect(code).toBe(2)
    expect(err.trim().split('\n')).toHaveLength(1)
    expect(err).toMatch(/add --fault TYPE/)
  })
})

describe('faultline proxy --config (TCP proxies from a Toxiproxy config)', () => {
  it('runs the proxies of the file with their toxics and logs what they do', async () => {
    const {writeFileSync} = await import('node:fs')
    const {join} = await import('node:path')
    const upstream = await startCountingServer()
    cleanups.push(upstream.close)
    const dir = testDir('fl-proxy-config-')
    const config = join(dir, 'proxies.json')
    writeFileSync(config, JSON.stringify([{name: 'web', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream.port}`}]))
    const env = cliEnv()
    const child = spawn(process.execPath, [BIN, 'proxy', '--config', config, '--seed', '4'], {env, stdio: ['ignore', 'pipe', 'pipe']})
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    let out = ''
    const listen = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /proxy web: (127\.0\.0\.1:\d+) →/.exec(out)
        if (m) resolve(m[1] as string)
      })
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
    })
    const r = await request(`http://${listen}/through`, {method: 'POST', body: 'x'})
    expect(r.statusCode).toBe(200)
    await r.body.dump()
    expect(upstream.state.hits).toBe(1)
    child.kill('SIGINT')
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
    expect(out).toMatch(/connection-open/)
  })
})
