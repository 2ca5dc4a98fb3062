import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {existsSync} from 'node:fs'
import type {ReadyProbe} from './ready-probe.js'
import {ServerError, type ExitReason, type ServerExit} from './server-error.js'
import type {ServerLog} from './server-log.js'

/** How a run ended once its group is gone: the exit, and whether the group survived SIGKILL. */
export interface RunSettlement {
  exit: ServerExit
  survived: boolean
}

/** One start of the server: one process group. */
export interface ServerRun {
  child: ChildProcess
  pid: number
  number: number
  alive: boolean
  ready: boolean
  /** Set before faultline itself ends the run, so the exit is not reported as unexpected. */
  ending?: Exclude<ExitReason, 'unexpected'>
  lastProbe: string
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  closed: Promise<void>
  logMatched: Promise<void>
  unexpectedExit: Promise<ServerError>
  reportUnexpected: (error: ServerError) => void
  /** Set by the first wait for the run's end; every later wait shares it. */
  settlement?: Promise<RunSettlement>
}

/**
 * Spawn `command` under /bin/sh in its own process group (detached) with its output piped.
 * Rejects with FL_SERVER_START when the working directory is missing or the spawn fails.
 */
export async function spawnServerProcess(
  command: string,
  cwd: string | undefined,
  env: Record<string, string> | undefined,
  log: ServerLog,
): Promise<ChildProcess & {pid: number}> {
  if (cwd !== undefined && !existsSync(cwd)) {
    throw new ServerError(
      'FL_SERVER_START',
      `cannot start the server \`${command}\`: its working directory ${cwd} does not exist.`,
      {file: log.path, tail: []},
    )
  }
  log.open()
  log.resetTail()
  const child = spawn(command, {
    shell: true,
    detached: true,
    cwd,
    env: {...process.env, ...env},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (child.pid === undefined) {
    const [error] = (await once(child, 'error')) as [NodeJS.ErrnoException]
    log.marker(`could not start \`${command}\`: ${error.message}`)
    throw new ServerError(
      'FL_SERVER_START',
      `cannot start the server \`${command}\`: ${error.message}.`,
      {file: log.path, tail: []},
      {cause: error},
    )
  }
  return child as ChildProcess & {pid: number}
}

/** The run of a spawned server: its output goes to the log (and to a log ready probe), its exit and close become promises. */
export function watchServerRun(child: ChildProcess, pid: number, number: number, probe: ReadyProbe, log: ServerLog): ServerRun {
  let reportUnexpected: (error: ServerError) => void = () => {}
  const unexpectedExit = new Promise<ServerError>((resolve) => {
    reportUnexpected = resolve
  })
  let matched: () => void = () => {}
  const logMatched = new Promise<void>((resolve) => {
    matched = resolve
  })
  const onLine =
    probe.kind === 'log'
      ? (line: string): void => {
          if (line.search(probe.pattern) >= 0) matched()
        }
      : undefined
  if (child.stdout) log.attach(child.stdout, onLine)
  if (child.stderr) log.attach(child.stderr, onLine)
  // Errors after a successful spawn (a failed kill) change nothing: exit is what counts.
  child.on('error', () => {})

  return {
    child,
    pid,
    number,
    alive: true,
    ready: false,
    lastProbe: 'no attempt finished yet',
    exited: new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({code, signal: signal as NodeJS.Signals | null})),
    ),
    closed: new Promise((resolve) => child.once('close', () => resolve())),
    logMatched,
    unexpectedExit,
    reportUnexpected,
  }
}
