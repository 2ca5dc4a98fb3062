import {PassThrough} from 'node:stream'
import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {runWorkload} from '../../src/audit/workload.js'
import {isGroupAlive, isProcessAlive, signalGroup} from '../../src/supervisor/process-group.js'
import {ProcessReaper} from '../../src/supervisor/reaper.js'

const STUBBORN = fileURLToPath(new URL('../fixtures/workloads/stubborn.mjs', import.meta.url))

/** The run's output, and a promise for the pids its "ready" line names (workload, its child). */
function watchReady(): {output: PassThrough; ready: Promise<[number, number]>} {
  const output = new PassThrough()
  let text = ''
  const ready = new Promise<[number, number]>((resolve) => {
    output.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      const match = /ready (\d+) (\d+)/.exec(text)
      if (match) resolve([Number(match[1]), Number(match[2])])
    })
  })
  return {output, ready}
}

const groups: number[] = []
afterEach(() => {
  // Only reached with something alive if a test failed half-way: leave nothing behind.
  for (const pgid of groups.splice(0)) signalGroup(pgid, 'SIGKILL')
})

function expectAllGone(pids: [number, number]): void {
  expect(isProcessAlive(pids[0])).toBe(false)
  expect(isProcessAlive(pids[1])).toBe(false)
  expect(isGroupAlive(pids[0])).toBe(false)
}

describe('runWorkload', () => {
  it('tracks the workload group from the moment it has a pid, and untracks it once the group is gone', async () => {
    const {output, ready} = watchReady()
    const reaper = new ProcessReaper({guardian: false})
    const controller = new AbortController()
    const run = runWorkload({command: [process.execPath, STUBBORN], env: process.env, timeoutMs: 60_000, graceMs: 200, output, signal: controller.signal, reaper})
    // Synchronously after the call: a signal, or faultline's death, in the tick before the
    // child's 'spawn' event must still find the group in the reaper (and its guardian).
    const tracked = reaper.tracked()
    const pids = await ready
    groups.push(pids[0])
    controller.abort()
    await run
    expect(tracked).toEqual([pids[0]])
    expect(reaper.tracked()).toEqual([])
    expectAllGone(pids)
  }, 30_000)

  it('untracks nothing it did not track when the program cannot be run', async () => {
    const reaper = new ProcessReaper({guardian: false})
    await expect(runWorkload({command: ['/nonexistent/faultline-workload'], env: process.env, timeoutMs: 5000, graceMs: 200, output: new PassThrough(), reaper})).rejects.toThrow(/no such program/)
    expect(reaper.tracked()).toEqual([])
  })

  it('on interruption stops a workload that traps signals and whose child ignores SIGTERM: nothing is left running', async () => {
    const {output, ready} = watchReady()
    const controller = new AbortController()
    const run = runWorkload({command: [process.execPath, STUBBORN], env: process.env, timeoutMs: 60_000, graceMs: 200, output, signal: controller.signal})
    const pids = await ready
    groups.push(pids[0])
    controller.abort()
    const result = await run
    expect(result.stopped).toBe('interrupted')
    expect(result.signal).toBe('SIGKILL') // SIGTERM was trapped: only the SIGKILL after the grace ended it
    expectAllGone(pids)
  }, 30_000)

  it('kills the whole process group at the run deadline', async () => {
    const {output, ready} = watchReady()
    // Long enough for both processes to start on a loaded machine; the test then checks both died.
    const result = await runWorkload({command: [process.execPath, STUBBORN], env: process.env, timeoutMs: 5000, graceMs: 200, output})
    expect(result.stopped).toBe('deadline')
    expectAllGone(await ready)
  }, 30_000)

  it('stops what a workload left running in its group when it exits on its own', async () => {
    const {output, ready} = watchReady()
    const result = await runWorkload({command: [process.execPath, STUBBORN, '--leave'], env: process.env, timeoutMs: 60_000, graceMs: 200, output})
    expect(result).toMatchObject({exitCode: 0, leftovers: true})
    expect(result.stopped).toBeUndefined()
    expectAllGone(await ready)
  }, 30_000)

  it('says which program could not be started', async () => {
    await expect(runWorkload({command: ['/nonexistent/faultline-workload'], env: process.env, timeoutMs: 1000, graceMs: 100, output: new PassThrough()})).rejects.toThrow(
      'cannot run the workload /nonexistent/faultline-workload: no such program',
    )
  })
})
