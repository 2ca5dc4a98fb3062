import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {CLIENT_OUTPUT_BYTES, runClientProcess} from '../../src/check/client-process.js'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {isProcessAlive} from '../../src/supervisor/process-group.js'
import {ProcessReaper} from '../../src/supervisor/reaper.js'
import {testDir} from '../helpers/temp-dir.js'

const CLIENT = path.resolve('test/check/clients/misbehaving-client.mjs')

/** A pid file for one test; whatever a failed test left running is killed when it ends. */
function pidFile(): string {
  const file = path.join(testDir('faultline-client-'), 'pids')
  onTestFinished(() => {
    for (const pid of pidsIn(file)) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL')
  })
  return file
}

function pidsIn(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : []
}

/** Run the misbehaving client in `mode` with a deadline; its events and the pids it started. */
async function run(mode: string, options: {timeoutMs?: number; signal?: AbortSignal; reaper?: ProcessReaper} = {}) {
  const pids = pidFile()
  const events = new EventLog()
  const seen: ProxyEvent[] = []
  events.on('event', (e) => seen.push(e))
  const exit = await runClientProcess({
    command: `node ${CLIENT} ${mode}`,
    env: {...process.env, PIDS_FILE: pids},
    timeoutMs: options.timeoutMs ?? 60_000,
    events,
    trial: 't0.1',
    signal: options.signal,
    reaper: options.reaper,
  })
  return {exit, seen, pids: pidsIn(pids)}
}

// Long enough for node to start on a loaded machine; the tests wait on the exit, never on a clock.
const DEADLINE = 5000

describe('runClientProcess: the user\'s client, bounded', () => {
  it('exit 0 and a non-zero exit are reported as they are, with the output as events', async () => {
    const ok = await run('exit 0')
    expect(ok.exit).toMatchObject({code: 0, signal: null, timedOut: false})
    const failed = await run('exit 3')
    expect(failed.exit).toMatchObject({code: 3, timedOut: false})
    expect(failed.seen.map((e) => e.detail?.action).filter(Boolean)).toEqual(['start', 'exit'])
    expect(failed.seen.every((e) => e.type === 'client' && e.trial === 't0.1')).toBe(true)
  })

  it.each([
    ['hang', 'a client that hangs'],
    ['trap', 'a client that ignores SIGTERM'],
    ['fork-ignore', 'a client whose child ignores SIGTERM'],
  ])('%s: %s is killed at its deadline with its whole process group', async (mode) => {
    const {exit, seen, pids} = await run(mode, {timeoutMs: DEADLINE})
    expect(exit.timedOut).toBe(true)
    expect(pids.length).toBe(mode === 'fork-ignore' ? 2 : 1)
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false)
    expect(seen.at(-1)?.detail).toMatchObject({action: 'killed', message: `killed at its ${DEADLINE} ms deadline`})
  })

  it('a child the client leaves behind when it exits is killed too: nothing outlives the operation', async () => {
    const {exit, pids} = await run('leave-child')
    expect(exit).toMatchObject({code: 0, timedOut: false})
    expect(pids.length).toBe(2)
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false)
  })

  it('an aborted run kills the group at once and rejects with the abort reason', async () => {
    const controller = new AbortController()
    const reaper = new ProcessReaper()
    const events = new EventLog()
    const pids = pidFile()
    events.on('event', (e) => {
      if (e.detail?.line === 'ready') controller.abort(new Error('interrupted'))
    })
    const running = runClientProcess({command: `node ${CLIENT} fork-ignore`, env: {...process.env, PIDS_FILE: pids}, timeoutMs: 60_000, events, trial: 't0.1', signal: controller.signal, reaper})
    await expect(running).rejects.toThrow('interrupted')
    expect(pidsIn(pids).length).toBe(2)
    for (const pid of pidsIn(pids)) expect(isProcessAlive(pid)).toBe(false)
    // The reaper watched the group while it ran and let go of it once it was gone.
    expect(reaper.tracked()).toEqual([])
  })

  it('keeps at most CLIENT_OUTPUT_BYTES of output as events, and says how much it left out', async () => {
    const lines = Math.ceil((CLIENT_OUTPUT_BYTES * 2) / 100)
    const {seen} = await run(`spam ${lines}`)
    const kept = seen.filter((e) => e.detail?.stream === 'stdout')
    expect(kept.length).toBe(Math.floor(CLIENT_OUTPUT_BYTES / 100))
    expect(seen.find((e) => e.detail?.action === 'output-cut')?.detail?.message).toBe(`output beyond ${CLIENT_OUTPUT_BYTES} bytes left out (${(lines - kept.length) * 100} bytes)`)
  })
})
