import type {StageContext, ToxicDefinition, ToxicStage} from '../toxic.js'

/**
 * Drops every byte in its direction. After `timeout` ms (0 = never) the connection is
 * closed. Removing the toxic closes the connection too (Toxiproxy's behaviour).
 * An end arriving from the source closes the connection, as in Toxiproxy.
 */
class TimeoutStage implements ToxicStage {
  readonly held = 0
  private timer: NodeJS.Timeout | undefined
  private done = false
  constructor(
    timeout: number,
    private readonly ctx: StageContext,
  ) {
    if (timeout > 0) this.timer = setTimeout(() => this.close('timeout'), timeout)
  }
  write(_chunk: Buffer): void {}
  end(_closeAfter: boolean): void {
    this.close('end')
  }
  private close(why: string): void {
    if (this.done) return
    this.done = true
    this.dispose()
    this.ctx.fired('close', {why})
    this.ctx.pushEnd(true)
  }
  flush(): void {
    this.close('removed')
  }
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}

export const timeout: ToxicDefinition = {
  type: 'timeout',
  attributes: {timeout: 'integer'},
  create: (a, ctx) => new TimeoutStage(a.timeout ?? 0, ctx),
}
