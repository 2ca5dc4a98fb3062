import type {StageContext, ToxicDefinition, ToxicStage} from '../toxic.js'

/** Data passes; the direction's end (FIN) is delayed by `delay` ms. */
class SlowCloseStage implements ToxicStage {
  readonly held = 0
  private timer: NodeJS.Timeout | undefined
  private pendingEnd: boolean | undefined
  constructor(
    private readonly delay: number,
    private readonly ctx: StageContext,
  ) {}
  write(chunk: Buffer): void {
    if (this.pendingEnd === undefined) this.ctx.push(chunk)
  }
  end(closeAfter: boolean): void {
    if (this.pendingEnd !== undefined) return
    this.pendingEnd = closeAfter
    this.timer = setTimeout(() => this.release(), this.delay)
  }
  private release(): void {
    this.timer = undefined
    const closeAfter = this.pendingEnd
    if (closeAfter !== undefined) this.ctx.pushEnd(closeAfter)
  }
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.release()
    }
  }
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}

export const slowClose: ToxicDefinition = {
  type: 'slow_close',
  attributes: {delay: 'integer'},
  create: (a, ctx) => new SlowCloseStage(a.delay ?? 0, ctx),
}
