import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {existsSync, readFileSync, watch, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it, onTestFinished} from 'vitest'
import {isProcessAlive} from '../../src/supervisor/process-group.js'
import {cliEnv, ROOT} from '../helpers/run-cli.js'
import {testDir} from '../helpers/temp-dir.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
const CLIENT = fileURLToPath(new URL('../check/clients/misbehaving-client.mjs', import.meta.url))

function pidsIn(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : []
}

/** Resolves once `file` lists `count` pids; woken by changes in its folder, never by a clock. */
function untilPids(dir: string, file: string, count: number): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dir, () => look())
    const look = () => {
      if (pidsIn(file).length < count) return
      watcher.close()
      resolve()
    }
    look()
  })
}

describe('faultline check with a client command, interrupted', () => {
  it('Ctrl-C stops the run and leaves no process of the client\'s group alive, its TERM-ignoring child included', async () => {
    const dir = testDir('fl-client-sigint-')
    const pids = join(dir, 'pids')
    onTestFinished(() => {
      for (const pid of pidsIn(pids)) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL')
    })
    const file = join(dir, 'scenario.yaml')
    writeFileSync(
      file,
      `version: 1
target:
  protocol: http
  url: http://127.0.0.1:{{port}}
  server: { command: node fixtures/servers/counter.mjs --port {{port}}, ready: { http: /health } }
client:
  command: node ${CLIENT} fork-ignore
  env: { PIDS_FILE: ${pids} }
  timeout: 10m
endpoints:
  - name: e
    match: { method: POST }
`,
    )
    const env = cliEnv({TMPDIR: dir})
    const child = spawn(process.execPath, [BIN, 'check', file], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
    onTestFinished(() => void child.kill('SIGKILL'))
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.resume()
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>

    // The baseline's run of the command is up: the client and its child wrote their pids.
    await Promise.race([
      untilPids(dir, pids, 2),
      exited.then(() => {
        throw new Error(`faultline ended before the client started; stderr: ${stderr}`)
      }),
    ])
    child.kill('SIGINT')
    const [code, signal] = await exited
    expect(signal ?? code).toMatch(/SIGINT|130/)
    expect(pidsIn(pids)).toHaveLength(2)
    for (const pid of pidsIn(pids)) expect(isProcessAlive(pid)).toBe(false)
    expect(stderr).not.toMatch(/internal error|\bat .*\.js:\d+/)
  })

  it('a scenario error names file:line:column and what to write, exit 2', async () => {
    const dir = testDir('fl-client-bad-')
    const file = join(dir, 'scenario.yaml')
    writeFileSync(file, 'version: 1\ntarget: { protocol: http, url: "http://127.0.0.1:1" }\nclient:\n  command: node client.js\nendpoints:\n  - name: e\n    expect: at-least-once\n')
    const env = cliEnv()
    const child = spawn(process.execPath, [BIN, 'check', file], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.resume()
    const [code] = (await once(child, 'exit')) as [number | null]
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toEqual([`faultline: ${file}:6:5: endpoints[0]: missing required field "match" (which of the client command's requests are this endpoint's), e.g. match: { method: POST, path: /orders/{id} }`])
  })
})
