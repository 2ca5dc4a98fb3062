import {readdirSync, readFileSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'

/**
 * Process-group primitives. A server is spawned `detached`, so it leads its own
 * process group whose id (pgid) equals its pid; signalling `-pgid` reaches every
 * process in the group, children and grandchildren included.
 *
 * "Alive" here means "not yet dead": a zombie (exited, waiting for its parent to
 * reap it) counts as dead. It holds no memory, no sockets and no ports; only a
 * process-table entry. This matters because an orphaned grandchild is reparented
 * to PID 1, and not every PID 1 (containers, microVM inits) reaps its zombies.
 *
 * A process is a zombie only once every one of its threads is: `/proc/<pid>/stat`
 * describes the main thread alone, and a multi-threaded server (the JVM, Go, Node
 * with worker threads) whose main thread has exited shows "Z" there while its other
 * threads still run and still hold its sockets. So liveness is read per thread,
 * from `/proc/<pid>/task/<tid>/stat`.
 */

/** Send `signal` to every process of group `pgid`. False when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch (error) {
    if (isErrno(error, 'ESRCH')) return false
    throw error
  }
}

/** True while process `pid` exists and one of its threads is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if (isErrno(error, 'ESRCH')) return false
    if (isErrno(error, 'EPERM')) return true
    throw error
  }
  // No /proc on this platform: kill(pid, 0) is all there is.
  if (process.platform !== 'linux') return true
  const stat = readStat(`/proc/${pid}`)
  // No /proc entry on Linux means it vanished between the two checks.
  return stat !== undefined && hasLiveThread(pid, stat)
}

/** True while any process of group `pgid` is alive (zombies do not count). */
export function isGroupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false
  if (process.platform !== 'linux') return true
  return liveMembersFromProc(pgid).length > 0
}

/** Resolves true once group `pgid` has no live process, false if `timeoutMs` passed first. */
export async function waitGroupGone(
  pgid: number,
  timeoutMs: number,
  options: {intervalMs?: number; signal?: AbortSignal} = {},
): Promise<boolean> {
  const interval = options.intervalMs ?? 10
  const deadline = performance.now() + timeoutMs
  while (isGroupAlive(pgid)) {
    if (performance.now() >= deadline) return false
    await sleep(interval, undefined, {signal: options.signal})
  }
  return true
}

/**
 * Blocking variant for places where async work cannot run: a process 'exit'
 * handler, or a signal handler that must not return before the children are dead.
 */
export function waitGroupGoneSync(pgid: number, timeoutMs: number): boolean {
  const deadline = performance.now() + timeoutMs
  const cell = new Int32Array(new SharedArrayBuffer(4))
  while (isGroupAlive(pgid)) {
    if (performance.now() >= deadline) return false
    Atomics.wait(cell, 0, 0, 5)
  }
  return true
}

interface ProcStat {
  state: string
  pgrp: number
}

/** The `stat` file of a process (`/proc/<pid>`) or of one thread (`/proc/<pid>/task/<tid>`). */
function readStat(dir: string): ProcStat | undefined {
  let text: string
  try {
    text = readFileSync(`${dir}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // "pid (comm) S ppid pgrp ..." — comm may hold spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return {state: fields[0] ?? '', pgrp: Number(fields[2])}
}

function liveMembersFromProc(pgid: number): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return [pgid]
  }
  const members: number[] = []
  for (const entry of entries) {
    const first = entry.charCodeAt(0)
    if (first < 48 || first > 57) continue
    const stat = readStat(`/proc/${entry}`)
    if (stat !== undefined && stat.pgrp === pgid && hasLiveThread(Number(entry), stat)) members.push(Number(entry))
  }
  return members
}

/** States of a task that has exited: zombie, dead. */
function isExited(state: string): boolean {
  return state === 'Z' || state === 'X'
}

/**
 * True while a thread of process `pid` has not exited. `stat` is the process's own (its main
 * thread's); only when that one has exited are the other threads read.
 */
function hasLiveThread(pid: number, stat: ProcStat): boolean {
  if (!isExited(stat.state)) return true
  let tasks: string[]
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return false // gone meanwhile
  }
  return tasks.some((tid) => {
    const task = readStat(`/proc/${pid}/task/${tid}`)
    return task !== undefined && !isExited(task.state)
  })
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code
}
