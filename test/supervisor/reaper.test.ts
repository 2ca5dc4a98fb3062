import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {findFreePort, ProcessReaper, REAPED_SIGNALS} from '../../src/supervisor/index.js'
import {
  canListen,
  driverScript,
  getJson,
  isDead,
  liveGroupMembers,
  serverCommand,
  tempDir,
  waitFor,
  type ServedBy,
} from './helpers.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

let dir: string
let cleanup: () => void
let children: ChildProcess[]

beforeEach(() => {
  ;({dir, cleanup} = tempDir())
  children = []
})

afterEach(() => {
  // Safety net only: every test asserts the groups are already gone.
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  cleanup()
})

describe('ProcessReaper', () => {
  it('installs and removes its process handlers', () => {
    const before = Object.fromEntries(
      [...REAPED_SIGNALS, 'exit'].map((name) => [name, process.listenerCount(name)]),
    )
    const reaper = new ProcessReaper().install()
    reaper.install() // idempotent
    for (const name of [...REAPED_SIGNALS, 'exit'])
      expect(process.listenerCount(name), name).toBe(before[name] + 1)
    reaper.dispose()
    reaper.dispose()
    for (const name of [...REAPED_SIGNALS, 'exit'])
      expect(process.listenerCount(name), name).toBe(before[name])
    expect(reaper.isInstalled).toBe(false)
  })

  it('killAll() SIGKILLs every tracked group and returns only once they are gone', async () => {
    const port = await findFreePort()
    const child = spawn(serverCommand('with-grandchild.mjs', '--port', port), {
      shell: true,
      detached: true,
      stdio: 'ignore',
    })
    children.push(child)
    const pgid = child.pid as number
    await waitFor(() => liveGroupMembers(pgid).length >= 3, 'sh, the server and its child to run')
    const members = liveGroupMembers(pgid)

    const reaper = new ProcessReaper()
    reaper.track(pgid)
    reaper.killAll()
    for (const pid of members) expect(isDead(pid), `pid ${pid}`).toBe(true)
    expect(reaper.tracked()).toEqual([])
    await once(child, 'exit')
  })
})

/** Run test/supervisor/servers/driver.mjs from source, as the faultline command would run. */
function runDriver(mode: 'ready' | 'exit' | 'starting', port: number) {
  const logFile = join(dir, 'server.log')
  const driver = spawn(process.execPath, ['--import', 'tsx', driverScript, mode, String(port), logFile], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(driver)
  let stderr = ''
  driver.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const lines = createInterface({input: driver.stdout!})
  const exited = once(driver, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  async function milestone(event: string): Promise<Record<string, number>> {
    for await (const line of lines) {
      const message = JSON.parse(line) as {event: string} & Record<string, number>
      if (message.event === event) return message
    }
    throw new Error(`driver ended before "${event}": ${stderr}`)
  }
  return {driver, milestone, exited, logFile, stderr: () => stderr}
}

describe('no orphan survives an interrupted run', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} to the command kills the server's group, grandchild included, and frees the port`, async () => {
      const port = await findFreePort()
      const run = runDriver('ready', port)
      const {pid: leader} = await run.milestone('ready')
      const served = await getJson<ServedBy>(`http://127.0.0.1:${port}/`)
      const pids = [leader, served.ppid, served.pid]
      for (const pid of pids) expect(isDead(pid), `pid ${pid} before`).toBe(false)

      run.driver.kill(signal)
      const [code, diedOf] = await run.exited
      // The reaper re-raised the signal after cleaning up: the command died of it.
      expect({code, diedOf}).toEqual({code: null, diedOf: signal})
      // No waiting here: the reaper returns only once the group is gone.
      for (const pid of pids) expect(isDead(pid), `pid ${pid} after`).toBe(true)
      expect(liveGroupMembers(leader)).toEqual([])
      expect(await canListen(port)).toBe(true)
    })
  }

  it('SIGINT while the server is still starting kills it too', async () => {
    const port = await findFreePort()
    const run = runDriver('starting', port)
    const {pid: leader} = await run.milestone('started')
    await waitFor(() => liveGroupMembers(leader).length >= 2, 'the never-ready server to run under its shell')
    const members = liveGroupMembers(leader)

    run.driver.kill('SIGINT')
    const [, diedOf] = await run.exited
    expect(diedOf).toBe('SIGINT')
    for (const pid of members) expect(isDead(pid), `pid ${pid}`).toBe(true)
    expect(liveGroupMembers(leader)).toEqual([])
  })

  it('a command that exits without stopping its server still leaves nothing behind', async () => {
    const port = await findFreePort()
    const run = runDriver('exit', port)
    const {pid: leader} = await run.milestone('ready')
    const [code] = await run.exited
    expect(code).toBe(0)
    expect(isDead(leader)).toBe(true)
    expect(liveGroupMembers(leader)).toEqual([])
    expect(await canListen(port)).toBe(true)
  })
})
