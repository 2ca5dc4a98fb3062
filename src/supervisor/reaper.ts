import {Guardian} from './guardian.js'
import {signalGroup, waitGroupGoneSync} from './process-group.js'

/** Signals after which a run must leave no child behind. */
export const REAPED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
export type ReapedSignal = (typeof REAPED_SIGNALS)[number]

export interface ProcessReaperOptions {
  /**
   * Called after every tracked group was killed on SIGINT/SIGTERM/SIGHUP. The
   * default re-raises the signal once this reaper's handlers are removed, so the
   * process dies of it as it would have without a handler (exit status 130 for
   * Ctrl-C) — unless another listener for that signal exists, which then decides.
   */
  onSignal?: (signal: ReapedSignal) => void
  /** How long a handler blocks waiting for the killed groups to be gone. Default 2000 ms. */
  syncWaitMs?: number
  /**
   * Start a guardian on install(): a small detached watcher that SIGKILLs the groups still
   * tracked if faultline dies without running any handler (SIGKILL, the OOM killer).
   * Default true; never on Windows.
   */
  guardian?: boolean
}

/**
 * Owns the "no orphan survives a run" guarantee. The command creates one per run,
 * installs it, passes it to every supervisor, and disposes it at the end.
 *
 * On SIGINT, SIGTERM, SIGHUP and process 'exit' it SIGKILLs every tracked process
 * group synchronously (async work cannot run in an 'exit' handler), then blocks
 * until the groups are gone, so their ports are free by the time faultline exits.
 * No handler runs when faultline itself is SIGKILLed: for that, install() also starts a
 * Guardian, which is told every group tracked and untracked and kills the ones still
 * tracked once faultline is gone. dispose() releases it without killing anything.
 */
export class ProcessReaper {
  private readonly groups = new Set<number>()
  private readonly onSignal: (signal: ReapedSignal) => void
  private readonly syncWaitMs: number
  private readonly signalHandlers = new Map<ReapedSignal, () => void>()
  private readonly exitHandler = (): void => this.killAll()
  private readonly useGuardian: boolean
  private guardian: Guardian | undefined
  private installed = false

  constructor(options: ProcessReaperOptions = {}) {
    this.syncWaitMs = options.syncWaitMs ?? 2000
    this.useGuardian = options.guardian ?? true
    this.onSignal = options.onSignal ?? ((signal) => this.reraise(signal))
  }

  /** Install the process handlers and start the guardian. Idempotent. */
  install(): this {
    if (this.installed) return this
    this.installed = true
    if (this.useGuardian) {
      this.guardian = Guardian.start()
      for (const pgid of this.groups) this.guardian?.track(pgid)
    }
    for (const signal of REAPED_SIGNALS) {
      const handler = (): void => {
        this.killAll()
        this.onSignal(signal)
      }
      this.signalHandlers.set(signal, handler)
      process.on(signal, handler)
    }
    process.on('exit', this.exitHandler)
    return this
  }

  /**
   * Remove the process handlers and release the guardian (it exits). Tracked groups are
   * left alone, by both; stop them first.
   */
  dispose(): void {
    if (!this.installed) return
    this.installed = false
    this.guardian?.release(this.groups)
    this.guardian = undefined
    for (const [signal, handler] of this.signalHandlers) process.removeListener(signal, handler)
    this.signalHandlers.clear()
    process.removeListener('exit', this.exitHandler)
  }

  get isInstalled(): boolean {
    return this.installed
  }

  /** The guardian's pid while one runs (installed, not on Windows). */
  get guardianPid(): number | undefined {
    return this.guardian?.pid
  }

  /** Watch the process group `pgid` (a detached child's pid). */
  track(pgid: number): void {
    if (this.groups.has(pgid)) return
    this.groups.add(pgid)
    this.guardian?.track(pgid)
  }

  /** Stop watching `pgid`: call once the group is known to be gone. */
  untrack(pgid: number): void {
    if (this.groups.delete(pgid)) this.guardian?.untrack(pgid)
  }

  /** The tracked process-group ids. */
  tracked(): number[] {
    return [...this.groups]
  }

  /**
   * SIGKILL every tracked group now and block until they are gone (or `syncWaitMs`
   * passed). Synchronous by design: safe in signal and 'exit' handlers.
   */
  killAll(): void {
    const groups = [...this.groups]
    for (const pgid of groups) signalGroup(pgid, 'SIGKILL')
    for (const pgid of groups) {
      if (waitGroupGoneSync(pgid, this.syncWaitMs)) this.untrack(pgid)
    }
  }

  private reraise(signal: ReapedSignal): void {
    this.dispose()
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  }
}
