import type {StageContext, ToxicDefinition, ToxicStage} from '../toxic.js'
import {PassStage} from './noop.js'
import {TimedQueue} from './timed-queue.js'

/**
 * Paces data to `rate` KB/s (1 KB = 1000 B). Like Toxiproxy, a chunk larger than 100 ms
 * worth of data is cut into 100 ms pieces so the receiver sees a steady trickle.
 */
class BandwidthStage implements ToxicStage {
  private readonly queue: TimedQueue
  /** When the link is next free to send (performance.now() ms). */
  private free = 0
  constructor(
    private readonly rate: number,
    ctx: StageContext,
  ) {
    this.queue = new TimedQueue(ctx)
  }
  get held(): number {
    return this.queue.held
  }
  write(chunk: Buffer): void {
    const piece = Math.max(1, Math.floor(this.rate * 100))
    let start = Math.max(this.free, performance.now())
    for (let offset = 0; offset < chunk.length; offset += piece) {
      const part = chunk.subarray(offset, offset + piece)
      start += part.length / this.rate // bytes / (KB/s) = ms
      this.queue.pushChunk(part, start)
    }
    this.free = start
  }
  end(closeAfter: boolean): void {
    this.queue.pushEnd(closeAfter, this.free)
  }
  flush(): void {
    this.queue.flush()
  }
  dispose(): void {
    this.queue.dispose()
  }
}

export const bandwidth: ToxicDefinition = {
  type: 'bandwidth',
  attributes: {rate: 'integer'},
  create: (a, ctx) => ((a.rate ?? 0) > 0 ? new BandwidthStage(a.rate as number, ctx) : new PassStage(ctx)),
}
