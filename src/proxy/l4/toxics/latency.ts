import type {StageContext, ToxicDefinition, ToxicStage} from '../toxic.js'
import {TimedQueue} from './timed-queue.js'

/** Each chunk is held until its arrival + latency ± jitter (ms); order is kept. */
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
    this.queue.pushChunk(chunk, performance.now() + this.delay())
  }
  end(closeAfter: boolean): void {
    this.queue.pushEnd(closeAfter, performance.now())
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
