import type {StageContext, ToxicDefinition, ToxicStage} from '../toxic.js'

/** Forwards at most `bytes` bytes in its direction, then closes the connection. */
class LimitDataStage implements ToxicStage {
  readonly held = 0
  private remaining: number
  private done = false
  constructor(
    private readonly limit: number,
    private readonly ctx: StageContext,
  ) {
    this.remaining = Math.max(0, limit)
  }
  write(chunk: Buffer): void {
    if (this.done) return
    const part = chunk.length > this.remaining ? chunk.subarray(0, this.remaining) : chunk
    if (part.length > 0) {
      this.remaining -= part.length
      this.ctx.push(part)
    }
    if (this.remaining <= 0) {
      this.done = true
      this.ctx.fired('close', {why: 'limit', bytes: this.limit})
      this.ctx.pushEnd(true)
    }
  }
  end(closeAfter: boolean): void {
    if (this.done) return
    this.done = true
    this.ctx.pushEnd(closeAfter)
  }
  flush(): void {}
  dispose(): void {}
}

export const limitData: ToxicDefinition = {
  type: 'limit_data',
  attributes: {bytes: 'integer'},
  create: (a, ctx) => new LimitDataStage(a.bytes ?? 0, ctx),
}
