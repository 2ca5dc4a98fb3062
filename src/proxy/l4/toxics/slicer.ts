import type {StageContext, ToxicDefinition, ToxicStage} from '../toxic.js'
import {TimedQueue} from './timed-queue.js'

/**
 * Cuts each chunk into slices of average_size ± size_variation bytes, `delay` µs apart.
 * With a delay of 0 the slices are still separate writes.
 */
class SlicerStage implements ToxicStage {
  private readonly queue: TimedQueue
  constructor(
    private readonly average: number,
    private readonly variation: number,
    private readonly delayMs: number,
    private readonly ctx: StageContext,
  ) {
    this.queue = new TimedQueue(ctx)
  }
  get held(): number {
    return this.queue.held
  }
  private size(): number {
    const v = Math.min(this.variation, this.average - 1)
    return Math.max(1, v > 0 ? this.ctx.random.int(this.average - v, this.average + v) : this.average)
  }
  write(chunk: Buffer): void {
    let due = Math.max(this.queue.lastDue, performance.now())
    for (let offset = 0; offset < chunk.length;) {
      const n = this.size()
      this.queue.pushChunk(chunk.subarray(offset, offset + n), due)
      offset += n
      due += this.delayMs
    }
  }
  end(closeAfter: boolean): void {
    this.queue.pushEnd(closeAfter, this.queue.lastDue)
  }
  flush(): void {
    this.queue.flush()
  }
  dispose(): void {
    this.queue.dispose()
  }
}

export const slicer: ToxicDefinition = {
  type: 'slicer',
  attributes: {average_size: 'integer', size_variation: 'integer', delay: 'integer'},
  create: (a, ctx) =>
    new SlicerStage(Math.max(1, a.average_size ?? 0), a.size_variation ?? 0, (a.delay ?? 0) / 1000, ctx),
}
