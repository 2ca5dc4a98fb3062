/**
 * Counts work still in flight toward the server per trial (a request being forwarded,
 * a delivery awaiting its reply, a duplicate or delayed request not yet sent), so the
 * check runner can probe only once a trial is quiet: nothing in flight and `settle` ms
 * passed since the last activity. Waiting is event-driven; no polling.
 */
export class InFlightTracker {
  private readonly counts = new Map<string, number>()
  private readonly lastActivity = new Map<string, number>()
  private readonly waiters = new Map<string, Set<() => void>>()

  begin(trial: string | undefined): void {
    if (trial === undefined) return
    this.counts.set(trial, (this.counts.get(trial) ?? 0) + 1)
    this.lastActivity.set(trial, performance.now())
  }

  end(trial: string | undefined): void {
    if (trial === undefined) return
    const left = (this.counts.get(trial) ?? 1) - 1
    this.lastActivity.set(trial, performance.now())
    if (left > 0) {
      this.counts.set(trial, left)
      return
    }
    this.counts.delete(trial)
    const waiters = this.waiters.get(trial)
    if (waiters) for (const wake of [...waiters]) wake()
  }

  inFlight(trial: string): number {
    return this.counts.get(trial) ?? 0
  }

  /**
   * Resolves once the trial has had nothing in flight for `settleMs`. New activity during
   * the settle period restarts the wait. Rejects if `signal` aborts.
   */
  waitQuiet(trial: string, settleMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const waiters = this.waiters.get(trial) ?? new Set<() => void>()
      this.waiters.set(trial, waiters)
      const cleanup = () => {
        if (timer) clearTimeout(timer)
        waiters.delete(check)
        if (waiters.size === 0) this.waiters.delete(trial)
        signal?.removeEventListener('abort', onAbort)
      }
      const onAbort = () => {
        cleanup()
        reject(signal?.reason)
      }
      const check = (): void => {
        if (timer) clearTimeout(timer)
        timer = undefined
        if (this.inFlight(trial) > 0) return // woken again by end()
        const since = performance.now() - (this.lastActivity.get(trial) ?? 0)
        if (since >= settleMs) {
          cleanup()
          resolve()
          return
        }
        timer = setTimeout(check, settleMs - since)
      }
      waiters.add(check)
      if (signal?.aborted) return onAbort()
      signal?.addEventListener('abort', onAbort, {once: true})
      check()
    })
  }

  /** Forget a trial's bookkeeping once it is finished. */
  forget(trial: string): void {
    this.lastActivity.delete(trial)
  }
}
