import type {EventLog} from '../events/event-log.js'
import type {ReadyProbe} from './ready-probe.js'
import type {ProcessReaper} from './reaper.js'

/** The scenario's `target.server`, validated and with templates already filled in. */
export interface ServerSpec {
  /**
   * Run once (same shell, cwd and env as `command`) before the first start and never again,
   * not on a restart: seeds the server's data. Bounded by `startupTimeoutMs`.
   */
  setup?: string
  /** A shell command line, run by /bin/sh -c in its own process group. */
  command: string
  cwd?: string
  /** Added to (and overriding) faultline's own environment. */
  env?: Record<string, string>
  ready: ReadyProbe
  /** How long a start may take until the ready probe succeeds. */
  startupTimeoutMs: number
  /** stdout and stderr of every start are appended here. */
  logFile: string
  /** How long stop() waits after SIGTERM before it SIGKILLs the group. Default 5000. */
  stopTimeoutMs?: number
}

export interface SupervisorOptions {
  /** Receives 'supervisor' events: started, ready, killed, exited, stopped. */
  events?: EventLog
  /** Aborting SIGKILLs the server's group at once and rejects a pending start with the reason. */
  signal?: AbortSignal
  /** Tracks the server's process group so an interrupted run leaves no orphan. */
  reaper?: ProcessReaper
  /** Pause between two ready-probe attempts. Default 50 ms. */
  probeIntervalMs?: number
  /** Log lines quoted in error messages. Default 10. */
  tailLines?: number
  /**
   * On a restart: how long the previous server's port may still accept connections after its
   * process group is gone before the start fails with FL_PORT_TAKEN. Default 5000 ms.
   */
  portReleaseTimeoutMs?: number
}
