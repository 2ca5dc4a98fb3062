import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {ProcessReaper} from '../../src/supervisor/index.js'
import {isDead, liveGroupMembers, waitFor} from './helpers.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const guardedScript = fileURLToPath(new URL('./servers/guarded.mjs', import.meta.url))

interface Started {
  guardian: number | undefined
  tracked: number
  untracked: number
}

/** Process groups and processes a test started, killed in afterEach whatever happened. */
let groups: number[] = []
let children: ChildProcess[] = []
let reapers: ProcessReaper[] = []

afterEach(() => {
  for (const reaper of reapers) reaper.dispose()
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL')
    } catch {
      // already gone: what the test expects
    }
  }
  groups = []
  children = []
  reapers = []
})

/** Run servers/guarded.mjs and read the line it prints once its groups are (un)tracked. */
async function runGuarded(mode: 'wait' | 'exit') {
  const owner = spawn(process.execPath, ['--import', 'tsx', guardedScript, mode], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(owner)
  let stderr = ''
  owner.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = once(owner, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  for await (const line of createInterface({input: owner.stdout})) {
    const started = JSON.parse(line) as Started
    groups.push(started.tracked, started.untracked)
    return {owner, exited, ...started}
  }
  throw new Error(`guarded.mjs ended before it started its groups: ${stderr}`)
}

/** A detached `sleep` group started by the test process itself. */
function sleepGroup(): number {
  const child = spawn('sleep', ['600'], {detached: true, stdio: 'ignore'})
  children.push(child)
  groups.push(child.pid as number)
  return child.pid as number
}

describe('the guardian: groups outlive no SIGKILLed faultline', () => {
  it('SIGKILL of the process that tracked a group: the group is killed all the same', async () => {
    const run = await runGuarded('wait')
    expect(liveGroupMembers(run.tracked)).toHaveLength(1)

    run.owner.kill('SIGKILL')
    await run.exited
    await waitFor(() => liveGroupMembers(run.tracked).length === 0, `group ${run.tracked} to be killed`)
  })

  it('a group untracked before the SIGKILL is not killed', async () => {
    const run = await runGuarded('wait')
    expect(run.guardian).toBeTypeOf('number')

    run.owner.kill('SIGKILL')
    await run.exited
    // The guardian kills what it still lists, then exits: once it is gone it has sent every
    // signal it will. A SIGKILL lands a moment after kill() returns, so the tracked group is
    // waited for; the untracked one must still be alive after that.
    await waitFor(() => isDead(run.guardian as number), `the guardian (pid ${run.guardian}) to exit`)
    await waitFor(() => liveGroupMembers(run.tracked).length === 0, `group ${run.tracked} to be killed`)
    expect(liveGroupMembers(run.untracked)).toHaveLength(1)
  })

  it('ignores SIGINT, SIGHUP and SIGTERM: a later SIGKILL of the owner is still cleaned up', async () => {
    const run = await runGuarded('wait')
    const guardian = run.guardian as number
    for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) process.kill(guardian, signal)

    run.owner.kill('SIGKILL')
    await run.exited
    await waitFor(() => liveGroupMembers(run.tracked).length === 0, `group ${run.tracked} to be killed`)
  })

  it('a normal exit with every group untracked: the owner exits on its own, the guardian too, nothing is killed', async () => {
    const run = await runGuarded('exit')
    // Neither the guardian process nor its pipe keeps the owner's event loop alive.
    const [code] = await run.exited
    expect(code).toBe(0)
    await waitFor(() => isDead(run.guardian as number), `the guardian (pid ${run.guardian}) to exit`)
    expect(liveGroupMembers(run.tracked)).toHaveLength(1)
    expect(liveGroupMembers(run.untracked)).toHaveLength(1)
  })
})

describe('the guardian of an in-process ProcessReaper', () => {
  it('starts on install(); dispose() ends it and leaves tracked groups alone', async () => {
    const pgid = sleepGroup()
    const reaper = new ProcessReaper()
    reapers.push(reaper)
    reaper.track(pgid)
    expect(reaper.guardianPid).toBeUndefined()
    reaper.install()
    const guardian = reaper.guardianPid as number
    expect(guardian).toBeTypeOf('number')
    expect(isDead(guardian)).toBe(false)

    reaper.dispose()
    expect(reaper.guardianPid).toBeUndefined()
    await waitFor(() => isDead(guardian), `the guardian (pid ${guardian}) to exit`)
    expect(liveGroupMembers(pgid)).toHaveLength(1)
  })

  it('no guardian with {guardian: false}', () => {
    const reaper = new ProcessReaper({guardian: false}).install()
    reapers.push(reaper)
    expect(reaper.guardianPid).toBeUndefined()
  })

  it('a guardian that died (EPIPE on the next write) is dropped without an error', async () => {
    const reaper = new ProcessReaper().install()
    reapers.push(reaper)
    const guardian = reaper.guardianPid as number
    process.kill(guardian, 'SIGKILL')
    // Wait synchronously, so the event loop has not yet seen the exit: the writes below hit
    // the closed pipe.
    const cell = new Int32Array(new SharedArrayBuffer(4))
    const deadline = Date.now() + 10_000
    while (!isDead(guardian) && Date.now() < deadline) Atomics.wait(cell, 0, 0, 5)
    expect(isDead(guardian)).toBe(true)

    const pgid = sleepGroup()
    expect(() => {
      reaper.track(pgid)
      reaper.untrack(pgid)
      reaper.track(pgid)
    }).not.toThrow()
    await waitFor(() => reaper.guardianPid === undefined, 'the reaper to drop the dead guardian')
    expect(() => reaper.untrack(pgid)).not.toThrow()
    expect(reaper.tracked()).toEqual([])
  })
})
