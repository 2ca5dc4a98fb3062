import type {EventLog, EventSampler, ProxyEvent, ProxyEventType} from '../events/event-log.js'

/** Event types always printed, whatever the rate: what a person watches the log for. */
const ALWAYS: ReadonlySet<ProxyEventType> = new Set(['fault', 'error', 'toxic', 'listen', 'supervisor'])

/** Routine lines printed per second before the rest of that second is summarised. */
export const DEFAULT_LINES_PER_SECOND = 50

export interface LiveLogOptions {
  /** Where the text goes (one call per batch of lines). */
  write(text: string): void
  /** One event as one line, without the newline; called only for events that are printed. */
  format(event: ProxyEvent): string
  /** Routine lines per second before summarising (faults, errors and toxics are always printed). */
  linesPerSecond?: number
}

/**
 * The live log of `faultline proxy` and `faultline serve`: one line per event while the rate
 * is one a person can read. Lines of one turn of the event loop go out in one write, and an
 * event is formatted only when its line is printed. Past `linesPerSecond` routine events
 * (requests, deliveries, replies, connections) in one second, the rest of that second is
 * counted, not printed, and one summary line per second says how many of each type were left
 * out. Faults, errors and toxics are always printed. The `--events` file keeps every event.
 * It samples the event log (an `EventSampler`): an event it only counts is never built unless
 * another consumer takes it.
 */
export class LiveLog {
  private readonly limit: number
  private pending: ProxyEvent[] = []
  private flushScheduled = false
  private printed = 0
  private skipped = new Map<ProxyEventType, number>()
  private readonly tick: NodeJS.Timeout
  private readonly sampler: EventSampler = {
    wants: (type) => ALWAYS.has(type) || this.printed < this.limit,
    take: (event) => this.add(event),
    skip: (type) => this.skipped.set(type, (this.skipped.get(type) ?? 0) + 1),
  }

  constructor(
    private readonly events: EventLog,
    private readonly opts: LiveLogOptions,
  ) {
    this.limit = opts.linesPerSecond ?? DEFAULT_LINES_PER_SECOND
    events.addSampler(this.sampler)
    this.tick = setInterval(() => this.endSecond(), 1000)
    this.tick.unref()
  }

  /** An event to print (the sampler wanted it). */
  private add(event: ProxyEvent): void {
    if (!ALWAYS.has(event.type)) this.printed += 1
    this.pending.push(event)
    if (!this.flushScheduled) {
      this.flushScheduled = true
      setImmediate(() => this.flush())
    }
  }

  private flush(): void {
    this.flushScheduled = false
    if (this.pending.length === 0) return
    let text = ''
    for (const event of this.pending) text += `${this.opts.format(event)}\n`
    this.pending = []
    this.opts.write(text)
  }

  /** One second is over: print its summary line if anything was left out, start counting afresh. */
  private endSecond(): void {
    this.flush()
    this.printed = 0
    if (this.skipped.size === 0) return
    const counts = [...this.skipped].sort((a, b) => b[1] - a[1])
    const total = counts.reduce((n, [, count]) => n + count, 0)
    this.skipped = new Map()
    const by = counts.map(([type, count]) => `${type} ${count}`).join(', ')
    this.opts.write(`… ${total} more events not shown (${by}); more than ${this.limit} lines a second are summarised\n`)
  }

  /** Stop listening; print what is pending and the last summary. */
  close(): void {
    this.events.removeSampler(this.sampler)
    clearInterval(this.tick)
    this.endSecond()
  }
}
