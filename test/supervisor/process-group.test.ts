import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {readFileSync} from 'node:fs'
import {createInterface} from 'node:readline'
import {afterEach, describe, expect, it} from 'vitest'
import {findFreePort, isGroupAlive, isProcessAlive, waitGroupGone, waitGroupGoneSync} from '../../src/supervisor/index.js'
import {canListen, getJson, zombieLeaderScript, type ServedBy} from './helpers.js'

const children: ChildProcess[] = []

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    child.kill('SIGKILL')
    await once(child, 'exit')
  }
})

/** The main thread's state, read by the test itself. */
function mainThreadState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? ''
}

describe('process-group liveness of a multi-threaded process', () => {
  it('a process whose main thread exited while another thread holds its port is alive', async () => {
    const port = await findFreePort()
    const child = spawn('python3', [zombieLeaderScript, '--port', String(port)], {detached: true, stdio: ['ignore', 'pipe', 'inherit']})
    children.push(child)
    const pid = child.pid as number
    // It says so once its main thread is gone.
    for await (const line of createInterface({input: child.stdout!})) if (line.includes('listening on')) break
    const served = await getJson<ServedBy>(`http://127.0.0.1:${port}/`)
    expect(served.pid).toBe(pid)
    expect(mainThreadState(pid)).toBe('Z')

    expect(isProcessAlive(pid)).toBe(true)
    expect(isGroupAlive(pid)).toBe(true)
    expect(waitGroupGoneSync(pid, 50)).toBe(false)
    expect(await canListen(port)).toBe(false)

    child.kill('SIGKILL')
    expect(await waitGroupGone(pid, 10_000)).toBe(true)
    expect(isProcessAlive(pid)).toBe(false)
    expect(await canListen(port)).toBe(true)
  })
})
