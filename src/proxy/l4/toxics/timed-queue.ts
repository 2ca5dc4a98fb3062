import type {StageContext} from '../toxic.js'

type Item = {chunk: Buffer; due: number} | {end: true; closeAfter: boolean; due: number}

/** What a released slot holds until the array is compacted: no reference to its chunk. */
const RELEASED: Item = {end: true, closeAfter: false, due: 0}

/**
 * A FIFO of chunks each released at its due time (never before an earlier item: order is
 * kept). One timer at a time. Shared by the latency, bandwidth and slicer toxics.
 */
export class TimedQueue {
  private readonly items: Item[] = []
  private head = 0
  private timer: NodeJS.Timeout | undefined
  held = 0

  constructor(private readonly ctx: StageContext) {}

  /** Due time of the last queued item, or 0 when empty. */
  get lastDue(): number {
    return this.items.length > this.head ? (this.items[this.items.length - 1] as Item).due : 0
  }

  get empty(): boolean {
    return this.items.length === this.head
  }

  pushChunk(chunk: Buffer, due: number): void {
    this.held += chunk.length
    this.items.push({chunk, due: Math.max(due, this.lastDue)})
    this.schedule()
  }

  pushEnd(closeAfter: boolean, due: number): void {
    this.items.push({end: true, closeAfter, due: Math.max(due, this.lastDue)})
    this.schedule()
  }

  /** Release everything now, in order. */
  flush(): void {
    this.clear()
    this.release(Number.POSITIVE_INFINITY)
  }

  dispose(): void {
    this.clear()
    this.items.length = 0
    this.head = 0
    this.held = 0
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(): void {
    if (this.timer !== undefined || this.empty) return
    const wait = (this.items[this.head] as Item).due - performance.now()
    this.timer = setTimeout(this.onTimer, Math.max(0, wait))
  }

  private readonly onTimer = (): void => {
    this.timer = undefined
    this.release(performance.now() + 0.5)
    this.schedule()
  }

  private release(until: number): void {
    while (!this.empty) {
      const item = this.items[this.head] as Item
      if (item.due > until) break
      // Drop the reference now: released chunks must not stay reachable until compaction.
      this.items[this.head] = RELEASED
      this.head += 1
      if ('chunk' in item) {
        this.held -= item.chunk.length
        this.ctx.push(item.chunk)
      } else {
        this.ctx.pushEnd(item.closeAfter)
      }
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head)
      this.head = 0
    }
  }
}
