import {spawn} from 'node:child_process'
import {once} from 'node:events'
import type {Readable} from 'node:stream'
import type {EventLog} from '../events/event-log.js'
import {EnvironmentError} from '../errors.js'
import {signalGroup, waitGroupGone} from '../supervisor/process-group.js'
import type {ProcessReaper} from '../supervisor/reaper.js'

/** Output kept per trial as 'client' events (both streams together); the rest is counted, then said so. */
export const CLIENT_OUTPUT_BYTES = 16 * 1024
/** How long a client gets between SIGTERM and SIGKILL at its deadline. */
export const CLIENT_KILL_GRACE_MS = 500
/** How long faultline waits for a SIGKILLed group to be gone before it reports an environment failure. */
const GROUP_GONE_MS = 5000

export interface ClientProcessOptions {
  /** Shell command line, run by /bin/sh -c in a process group of its own. */
  command: string
  cwd?: string
  env: NodeJS.ProcessEnv
  /** The whole command's deadline, ms. */
  timeoutMs: number
  events: EventLog
  /** The trial marker its events carry. */
  trial: string
  signal?: AbortSignal
  /** Kills the group if faultline itself is interrupted. */
  reaper?: ProcessReaper
}

export interface ClientExit {
  /** Exit status of the command's shell; null when a signal ended it. */
  code: number | null
  signal: NodeJS.Signals | null
  /** Killed at the deadline. */
  timedOut: boolean
  durationMs: number
}

/**
 * Run a user's client command once: in its own process group, output line by line into
 * 'client' events (bounded), killed with its whole group at the deadline (SIGTERM, then
 * SIGKILL after a grace) or when `signal` aborts. Whatever the command leaves running after
 * it exits (a forked child) is killed too: one run of the command is one operation, and
 * nothing of it outlives the trial. Resolves once no process of the group is alive.
 */
export async function runClientProcess(options: ClientProcessOptions): Promise<ClientExit> {
  const {events, trial} = options
  options.signal?.throwIfAborted()
  const started = performance.now()
  const child = spawn(options.command, {shell: true, detached: true, cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe']})
  if (child.pid === undefined) {
    const [error] = (await once(child, 'error')) as [Error]
    throw new EnvironmentError('FL_CLIENT_SPAWN', `cannot run client.command \`${options.command}\`: ${error.message}`)
  }
  const pgid = child.pid
  options.reaper?.track(pgid)
  events.record({type: 'client', trial, detail: {action: 'start', message: `runs \`${options.command}\` (pid ${pgid})`, pid: pgid}})
  const output = new OutputBudget(events, trial, CLIENT_OUTPUT_BYTES)
  const drained = Promise.all([output.read(child.stdout, 'stdout'), output.read(child.stderr, 'stderr')])
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  let timedOut = false
  let aborted = false
  const stop = (why: 'deadline' | 'abort') => {
    if (why === 'deadline') timedOut = true
    else aborted = true
    signalGroup(pgid, 'SIGTERM')
    killTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), CLIENT_KILL_GRACE_MS)
  }
  let killTimer: NodeJS.Timeout | undefined
  const deadline = setTimeout(() => stop('deadline'), options.timeoutMs)
  const onAbort = () => stop('abort')
  options.signal?.addEventListener('abort', onAbort, {once: true})
  try {
    const [code, signal] = await exited
    const durationMs = performance.now() - started
    // The operation is over: whatever the command left behind in its group goes too.
    if (signalGroup(pgid, 'SIGKILL') && !(await waitGroupGone(pgid, GROUP_GONE_MS))) {
      throw new EnvironmentError('FL_CLIENT_STUCK', `client.command \`${options.command}\`: its process group ${pgid} is still alive ${GROUP_GONE_MS} ms after SIGKILL`)
    }
    options.reaper?.untrack(pgid)
    await drained
    output.finish()
    const how = timedOut ? `killed at its ${options.timeoutMs} ms deadline` : signal ? `ended by ${signal}` : `exited ${code}`
    events.record({type: 'client', trial, detail: {action: timedOut ? 'killed' : 'exit', message: how, code, signal, durationMs}})
    if (aborted) options.signal?.throwIfAborted()
    return {code, signal, timedOut, durationMs}
  } finally {
    clearTimeout(deadline)
    clearTimeout(killTimer)
    options.signal?.removeEventListener('abort', onAbort)
  }
}

/** Turns a client's output into 'client' events, one per line, until its byte budget is spent. */
class OutputBudget {
  private left: number
  private dropped = 0

  constructor(
    private readonly events: EventLog,
    private readonly trial: string,
    budget: number,
  ) {
    this.left = budget
  }

  /**
   * Resolves once the stream ended. In flowing mode ('data' events) on purpose: when a child
   * exits, Node resumes its stdio streams that are not flowing, and a paused reader (readline,
   * an async iterator) then loses what was still buffered.
   */
  async read(stream: Readable | null, name: 'stdout' | 'stderr'): Promise<void> {
    if (!stream) return
    stream.setEncoding('utf8')
    let partial = ''
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) this.take(name, line.replace(/\r$/, ''))
    })
    await once(stream, 'close')
    if (partial !== '') this.take(name, partial)
  }

  private take(name: 'stdout' | 'stderr', line: string): void {
    const bytes = Buffer.byteLength(line) + 1
    if (bytes > this.left) {
      this.dropped += bytes
      this.left = 0
      return
    }
    this.left -= bytes
    this.events.record({type: 'client', trial: this.trial, detail: {stream: name, line}})
  }

  /** Say how much output was left out, if any. */
  finish(): void {
    if (this.dropped === 0) return
    this.events.record({type: 'client', trial: this.trial, detail: {action: 'output-cut', message: `output beyond ${CLIENT_OUTPUT_BYTES} bytes left out (${this.dropped} bytes)`}})
  }
}
