import type {StageContext, ToxicDefinition, ToxicStage} from '../toxic.js'
import {TimedQueue} from './timed-queue.js'

/**
 * Each chunk is held until its arrival + latency ± jitter (ms); order is kept. A chunk due
 * now with nothing queued before it goes on at once: a 0 ms latency costs no timer.
 */
class LatencyStage implements ToxicStage {
  private readonly queue: TimedQueue
  constructor(
    private readonly latency: number,
    private readonly jitter: number,
    private readonly ctx: StageContext,
  ) {
    this.queue = new TimedQueue(ctx)
  }
  get held(): number {
    return this.queue.held
  }
  private delay(): number {
    const j = this.jitter > 0 ? this.ctx.random.int(-this.jitter, this.jitter) : 0
    return Math.max(0, this.latency + j)
  }
  write(chunk: Buffer): void {
    const delay = this.delay()
    if (delay === 0 && this.queue.empty) this.ctx.push(chunk)
    else this.queue.pushChunk(chunk, performance.now() + delay)
  }
  end(closeAfter: boolean): void {
    if (this.queue.empty) this.ctx.pushEnd(closeAfter)
    else this.queue.pushEnd(closeAfter, performance.now())
  }
  flush(): void {
    this.queue.flush()
  }
  dispose(): void {
    this.queue.dispose()
  }
}

export const latency: ToxicDefinition = {
  type: 'latency',
  attributes: {latency: 'integer', jitter: 'integer'},
  create: (a, ctx) => new LatencyStage(a.latency ?? 0, a.jitter ?? 0, ctx),
}
