/**
 * Shared/exclusive gate for trials: ordinary trials share it, crash trials (which stop the
 * whole server) take it alone. Waiting exclusive holders block new shared ones, so a crash
 * trial is never starved.
 */
export class TrialGate {
  private shared = 0
  private exclusive = false
  private readonly queue: Array<{exclusive: boolean; grant: () => void}> = []

  async run<T>(exclusive: boolean, task: () => Promise<T>): Promise<T> {
    await this.acquire(exclusive)
    try {
      return await task()
    } finally {
      this.release(exclusive)
    }
  }

  private acquire(exclusive: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({exclusive, grant: resolve})
      this.pump()
    })
  }

  private release(exclusive: boolean): void {
    if (exclusive) this.exclusive = false
    else this.shared -= 1
    this.pump()
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!
      if (next.exclusive) {
        if (this.exclusive || this.shared > 0) return
        this.exclusive = true
      } else {
        if (this.exclusive) return
        this.shared += 1
      }
      this.queue.shift()
      next.grant()
    }
  }
}
