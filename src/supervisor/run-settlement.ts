import {setTimeout as sleep} from 'node:timers/promises'
import {signalGroup, waitGroupGone} from './process-group.js'
import type {ProcessReaper} from './reaper.js'
import {describeExit, ServerError, type ExitReason, type ServerExit} from './server-error.js'
import type {ServerLog} from './server-log.js'
import type {RunSettlement, ServerRun} from './server-run.js'

/** Bound on waiting for a SIGKILLed group to disappear; SIGKILL cannot be ignored. */
const KILL_WAIT_MS = 5000
/** Bound on waiting for the pipes to drain after the group died. */
const DRAIN_WAIT_MS = 1000

/**
 * Wait until the run's leader exited, its group is gone and its pipes drained; then write
 * the exit marker (once) and stop tracking the group. Every call for one run shares one wait.
 * Never rejects.
 */
export function settleRun(run: ServerRun, log: ServerLog, reaper: ProcessReaper | undefined): Promise<RunSettlement> {
  run.settlement ??= waitRunGone(run, log, reaper)
  return run.settlement
}

/** settleRun(), then FL_SERVER_STOP if the group survived SIGKILL. */
export async function reapRun(run: ServerRun, log: ServerLog, reaper: ProcessReaper | undefined, command: string): Promise<ServerExit> {
  const {exit, survived} = await settleRun(run, log, reaper)
  if (survived) {
    throw new ServerError(
      'FL_SERVER_STOP',
      `process group ${run.pid} of the server \`${command}\` survived SIGKILL for ${KILL_WAIT_MS} ms.`,
      {file: log.path, tail: exit.logTail},
      {exit},
    )
  }
  return exit
}

async function waitRunGone(run: ServerRun, log: ServerLog, reaper: ProcessReaper | undefined): Promise<RunSettlement> {
  const {code, signal} = await run.exited
  let gone = await waitGroupGone(run.pid, KILL_WAIT_MS)
  if (!gone) {
    signalGroup(run.pid, 'SIGKILL')
    gone = await waitGroupGone(run.pid, KILL_WAIT_MS)
  }
  // A survivor stays tracked: the reaper tries again when the run ends.
  if (gone) reaper?.untrack(run.pid)
  const giveUp = new AbortController()
  const drained = await Promise.race([
    run.closed.then(() => true),
    sleep(DRAIN_WAIT_MS, false, {signal: giveUp.signal}),
  ]).finally(() => giveUp.abort()) // no timer outlives the wait
  if (!drained) {
    // A descendant that left the group (setsid) still holds the pipes: stop reading them.
    run.child.stdout?.destroy()
    run.child.stderr?.destroy()
  }
  const reason: ExitReason = run.ending ?? 'unexpected'
  log.marker(
    `pid ${run.pid} ${describeExit(code, signal)} (${reason === 'unexpected' ? 'on its own' : reason})`,
  )
  return {exit: {pid: run.pid, code, signal, reason, logTail: log.tail()}, survived: !gone}
}
