import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {existsSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'
import {signalGroup, waitGroupGone} from './process-group.js'
import type {ProcessReaper} from './reaper.js'
import {describeExit, ServerError} from './server-error.js'
import type {ServerLog} from './server-log.js'

export interface SetupCommand {
  /** A shell command line, run by /bin/sh -c in its own process group. */
  command: string
  cwd?: string
  env?: Record<string, string>
  /** How long it may run before it is killed and the start fails. */
  timeoutMs: number
  /** Its stdout and stderr go here, between marker lines. */
  log: ServerLog
  signal?: AbortSignal
  reaper?: ProcessReaper
}

/** Bound on waiting for a SIGKILLed group to disappear. */
const KILL_WAIT_MS = 5000
/** Bound on waiting for the pipes to drain once the command exited. */
const DRAIN_WAIT_MS = 1000

/**
 * Run the server's setup command (seeding its data) to completion, its output into the
 * server log. Whatever it leaves running in its process group is killed when it exits.
 * Resolves with how long it took. Rejects with a ServerError FL_SERVER_SETUP (exit 3),
 * quoting the tail of its output, when it cannot be started, exits non-zero or outlives
 * `timeoutMs`; with the signal's reason when the signal aborts (the group is killed).
 */
export async function runSetupCommand(setup: SetupCommand): Promise<{ms: number}> {
  const {command, cwd, log, signal} = setup
  signal?.throwIfAborted()
  const fail = (message: string, options?: {cause?: unknown}): ServerError =>
    new ServerError('FL_SERVER_SETUP', `${message} The server was not started.`, {file: log.path, tail: log.tail()}, options)
  log.open()
  log.resetTail()
  if (cwd !== undefined && !existsSync(cwd)) throw fail(`cannot run the setup command \`${command}\`: its working directory ${cwd} does not exist.`)
  const started = performance.now()
  log.marker(`setup: \`${command}\``)
  const child = spawn(command, {
    shell: true,
    detached: true,
    cwd,
    env: {...process.env, ...setup.env},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (child.pid === undefined) {
    const [error] = (await once(child, 'error')) as [Error]
    log.marker(`could not run the setup command: ${error.message}`)
    throw fail(`cannot run the setup command \`${command}\`: ${error.message}.`, {cause: error})
  }
  const pid = child.pid
  setup.reaper?.track(pid)
  if (child.stdout) log.attach(child.stdout)
  if (child.stderr) log.attach(child.stderr)
  child.on('error', () => {}) // a failed kill changes nothing: exit is what counts
  const closed = once(child, 'close').then(() => true)
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>

  let timedOut = false
  const kill = (): void => {
    signalGroup(pid, 'SIGKILL')
  }
  const timer = setTimeout(() => {
    timedOut = true
    kill()
  }, setup.timeoutMs)
  signal?.addEventListener('abort', kill, {once: true})
  let code: number | null
  let killedBy: NodeJS.Signals | null
  try {
    ;[code, killedBy] = await exited
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', kill)
  }
  // Nothing it started may outlive it (or hold the pipes, or a port the server needs).
  signalGroup(pid, 'SIGKILL')
  if (await waitGroupGone(pid, KILL_WAIT_MS)) setup.reaper?.untrack(pid)
  const giveUp = new AbortController()
  const drained = await Promise.race([closed, sleep(DRAIN_WAIT_MS, false, {signal: giveUp.signal})]).finally(() => giveUp.abort())
  if (!drained) {
    child.stdout?.destroy()
    child.stderr?.destroy()
  }
  const ms = performance.now() - started
  log.marker(`setup pid ${pid} ${describeExit(code, killedBy)} after ${Math.round(ms)} ms`)
  signal?.throwIfAborted()
  if (timedOut) {
    throw fail(
      `the setup command \`${command}\` did not finish within ${setup.timeoutMs} ms and was killed; ` +
        'make it faster or raise target.server.startupTimeout, which bounds it too.',
    )
  }
  if (code !== 0 || killedBy !== null) throw fail(`the setup command \`${command}\` ${describeExit(code, killedBy)}.`)
  return {ms}
}
