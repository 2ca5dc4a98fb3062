import type {RouteCounts} from './route-counts.js'

export interface CountDisplayOptions {
  /** How often the counts are shown (ms): in place on a terminal, as a new line otherwise. */
  everyMs: number
}

/**
 * The live count per route on stderr: one line rewritten in place when the stream is a
 * terminal, else a plain line each period in which something changed. `stop` shows the final
 * counts once more, on a line of their own.
 */
export class CountDisplay {
  private readonly timer: NodeJS.Timeout
  private shownVersion = 0

  constructor(
    private readonly counts: RouteCounts,
    private readonly stream: NodeJS.WriteStream,
    options: CountDisplayOptions,
  ) {
    this.timer = setInterval(() => this.show(), options.everyMs)
    this.timer.unref()
  }

  private get tty(): boolean {
    return this.stream.isTTY === true
  }

  private line(): string {
    return `recorded ${this.counts.total}: ${this.counts.summary()}`
  }

  private show(): void {
    if (this.counts.version === this.shownVersion) return
    this.shownVersion = this.counts.version
    if (!this.tty) {
      this.stream.write(`${this.line()}\n`)
      return
    }
    const width = Math.max(20, (this.stream.columns ?? 80) - 1)
    this.stream.write(`\r${this.line().slice(0, width).padEnd(width)}`)
  }

  stop(): void {
    clearInterval(this.timer)
    if (this.tty) this.stream.write(`\r${' '.repeat(Math.max(20, (this.stream.columns ?? 80) - 1))}\r`)
    this.stream.write(`${this.line()}\n`)
  }
}
