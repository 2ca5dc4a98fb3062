import {spawn} from 'node:child_process'
import {EnvironmentError} from '../errors.js'
import {signalGroup, waitGroupGone} from '../supervisor/process-group.js'
import type {ProcessReaper} from '../supervisor/reaper.js'

export interface WorkloadOptions {
  /** argv: the program and its arguments, already substituted. */
  command: string[]
  env: NodeJS.ProcessEnv
  /** The run is stopped (its whole process group) this many ms after it started. */
  timeoutMs: number
  /** Between SIGTERM and SIGKILL. */
  graceMs: number
  /** Ctrl-C: stop the run the same way as at its deadline. */
  signal?: AbortSignal
  /** Tracks the group so a faultline that dies still kills it. */
  reaper?: ProcessReaper
  /** Where the workload's stdout and stderr go (faultline's stderr: its stdout is the report). */
  output: NodeJS.WritableStream
}

export interface WorkloadRun {
  /** Exit code of the command; null when a signal ended it. */
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** Why faultline stopped it, if it did: `deadline` or `interrupted`. */
  stopped?: 'deadline' | 'interrupted'
  /** Processes of its group still alive when the command itself exited, stopped with it. */
  leftovers: boolean
  durationMs: number
}

/**
 * Run one workload command in its own process group. At its deadline (or on `signal`) the
 * whole group gets SIGTERM, then SIGKILL after `graceMs`; when the command exits on its own,
 * whatever it left running in its group is stopped the same way. Resolves once no process of
 * the group is alive.
 */
export async function runWorkload(options: WorkloadOptions): Promise<WorkloadRun> {
  const started = performance.now()
  const [program, ...args] = options.command
  if (program === undefined) throw new EnvironmentError('FL_WORKLOAD', 'no workload command given')
  const child = spawn(program, args, {env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe']})
  // Tracked from the moment it has a pid, not from its 'spawn' event a tick later: a signal
  // (or faultline's death, for the reaper's guardian) in between must not miss the group.
  if (child.pid !== undefined) options.reaper?.track(child.pid)
  const spawned = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined))
    child.once('error', (err) => resolve(err))
  })
  if (spawned) {
    if (child.pid !== undefined) options.reaper?.untrack(child.pid)
    throw new EnvironmentError('FL_WORKLOAD', `cannot run the workload ${program}: ${spawned.code === 'ENOENT' ? 'no such program' : spawned.message}`)
  }
  const pgid = child.pid as number
  child.stdout.pipe(options.output, {end: false})
  child.stderr.pipe(options.output, {end: false})
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.once('exit', (code, signal) => resolve({code, signal})))
  let stopped: WorkloadRun['stopped']
  const stop = async (why: NonNullable<WorkloadRun['stopped']>) => {
    stopped ??= why
    await stopGroup(pgid, options.graceMs)
  }
  const timer = setTimeout(() => void stop('deadline'), options.timeoutMs)
  const onAbort = () => void stop('interrupted')
  options.signal?.addEventListener('abort', onAbort, {once: true})
  if (options.signal?.aborted) onAbort()
  try {
    const {code, signal} = await exited
    clearTimeout(timer)
    const leftovers = signalGroup(pgid, 0) && !(await waitGroupGone(pgid, 0))
    await stopGroup(pgid, options.graceMs)
    return {exitCode: code, signal, ...(stopped ? {stopped} : {}), leftovers, durationMs: Math.round(performance.now() - started)}
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    options.reaper?.untrack(pgid)
    child.stdout.unpipe(options.output)
    child.stderr.unpipe(options.output)
  }
}

/** SIGTERM the group, SIGKILL it after `graceMs`, and wait until none of it is alive. */
async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return
  if (await waitGroupGone(pgid, graceMs)) return
  signalGroup(pgid, 'SIGKILL')
  await waitGroupGone(pgid, 10_000)
}
