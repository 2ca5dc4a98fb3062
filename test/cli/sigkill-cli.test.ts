import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {existsSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {cliEnv, ROOT} from '../helpers/run-cli.js'
import {testDir} from '../helpers/temp-dir.js'
import {accepts, canListen, liveGroupMembers, waitFor} from '../supervisor/helpers.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

let faultline: ChildProcess | undefined
let groups: number[] = []

afterEach(() => {
  // Whatever happened in the test: nothing it started survives it.
  if (faultline !== undefined && faultline.exitCode === null && faultline.signalCode === null) faultline.kill('SIGKILL')
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL')
    } catch {
      // already gone: what the test expects
    }
  }
  faultline = undefined
  groups = []
})


describe('faultline check, SIGKILLed (the real binary)', () => {
  it('the server it started is killed and its port freed, though no handler of faultline ran', async () => {
    const dir = testDir('fl-sigkill-')
    // The run folder (kept: --keep-run-dir names the server log as the run starts) goes in `dir`.
    const env = cliEnv({TMPDIR: dir})
    const child = spawn(process.execPath, [BIN, 'check', 'test/fixtures/crash-long.yaml', '--keep-run-dir'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    faultline = child
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.resume()
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
    const whileRunning = (condition: () => boolean) => () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`faultline ended (${child.exitCode ?? child.signalCode}) before the test could kill it: ${stderr}`)
      return condition()
    }

    await waitFor(whileRunning(() => /faultline: server log: (\S+)/.test(stderr)), 'the server log line on stderr', 20_000)
    const logFile = /faultline: server log: (\S+)/.exec(stderr)?.[1] as string
    const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')
    await waitFor(whileRunning(() => /is ready after/.test(log())), 'the server to be ready', 20_000)
    const leader = Number(/start #1 of .*\(pid (\d+)/.exec(log())?.[1])
    const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log())?.[1])
    groups.push(leader)
    expect(port).toBeGreaterThan(0)
    await waitFor(() => accepts(port), 'the server to accept connections')
    expect(liveGroupMembers(leader).length).toBeGreaterThan(0)

    child.kill('SIGKILL')
    const [, signal] = await exited
    expect(signal).toBe('SIGKILL')
    // Every group faultline had started by then: a crash trial may have restarted the server.
    groups.push(...[...log().matchAll(/start #\d+ of .*\(pid (\d+)/g)].map((m) => Number(m[1])))
    for (const pgid of new Set(groups)) await waitFor(() => liveGroupMembers(pgid).length === 0, `server group ${pgid} to be killed`)
    expect(await canListen(port)).toBe(true)
  })
})
