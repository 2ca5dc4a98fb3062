import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {writeFileSync} from 'node:fs'
import net from 'node:net'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {cliEnv, ROOT} from '../helpers/run-cli.js'
import {testDir} from '../helpers/temp-dir.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A "Toxiproxy server" on loopback that accepts connections and never answers: a run waiting on it does not stop by itself. */
async function silentServer(): Promise<{port: number; connected: Promise<unknown>}> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
  })
  const connected = once(server, 'connection')
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return {port: (server.address() as net.AddressInfo).port, connected}
}

describe('faultline check, interrupted', () => {
  it('a second Ctrl-C ends a run whose first Ctrl-C could not stop it', async () => {
    const toxiproxy = await silentServer()
    const dir = testDir('fl-second-sigint-')
    const file = join(dir, 'scenario.yaml')
    writeFileSync(
      file,
      `version: 1
target: { protocol: http, url: "http://127.0.0.1:1" }
toxiproxy:
  url: http://127.0.0.1:${toxiproxy.port}
  proxies: [{ name: db, listen: "127.0.0.1:0", upstream: "127.0.0.1:1" }]
endpoints:
  - name: e
    request: { method: GET, path: / }
`,
    )
    const env = cliEnv({TMPDIR: dir})
    const child = spawn(process.execPath, [BIN, 'check', file], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    cleanups.push(() => void child.kill('SIGKILL'))
    let stderr = ''
    const said = (text: string) =>
      new Promise<void>((resolve) => {
        const look = () => stderr.includes(text) && resolve()
        look()
        child.stderr.on('data', look)
      })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.resume()
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>

    // The run is now waiting on a server that never answers.
    await toxiproxy.connected
    child.kill('SIGINT')
    await Promise.race([
      said('stopping the run'),
      exited.then(() => {
        throw new Error(`faultline ended on the first Ctrl-C instead of stopping in order; stderr: ${stderr}`)
      }),
    ])
    expect(child.exitCode).toBe(null)
    child.kill('SIGINT')
    const [code, signal] = await exited
    expect(signal ?? code).toMatch(/SIGINT|130/)
    expect(stderr).toContain('faultline: SIGINT: stopping the run; press Ctrl-C again to stop at once\n')
    expect(stderr).not.toMatch(/internal error|\bat .*\.js:\d+/)
  })
})
