import {ProcessReaper, type ReapedSignal} from '../supervisor/reaper.js'

/**
 * Ctrl-C (or SIGTERM, SIGHUP) during a run. The reaper kills the server's process group at
 * once, every time. The first signal then stops the run in order — trials end, the proxy
 * closes, reports and the run folder are dealt with — and the command dies of that signal
 * afterwards; a second signal ends the process at once, for a run that does not stop.
 */
export class RunInterrupt {
  readonly reaper: ProcessReaper
  private readonly abort = new AbortController()
  private signalReceived: ReapedSignal | undefined

  constructor(onFirst: (signal: ReapedSignal) => void) {
    this.reaper = new ProcessReaper({
      onSignal: (signal) => {
        if (this.signalReceived !== undefined) return this.dieOf(signal)
        this.signalReceived = signal
        onFirst(signal)
        this.abort.abort(new Error(`interrupted by ${signal}`))
      },
    })
  }

  install(): this {
    this.reaper.install()
    return this
  }

  /** Aborts on the first signal: the run's cancellation. */
  get signal(): AbortSignal {
    return this.abort.signal
  }

  /** The signal that interrupted the run, if one did. */
  get received(): ReapedSignal | undefined {
    return this.signalReceived
  }

  /** Stop listening: from now on a signal has its default effect (the process dies of it). */
  dispose(): void {
    this.reaper.dispose()
  }

  /** Die of `signal` as the process would have without handlers (exit status 128 + its number). */
  dieOf(signal: ReapedSignal): void {
    this.reaper.dispose()
    process.kill(process.pid, signal)
  }
}
