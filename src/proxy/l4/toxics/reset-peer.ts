import type {StageContext, ToxicDefinition, ToxicStage} from '../toxic.js'

/**
 * Data passes until `timeout` ms after the toxic started (0 = at once); then both sockets
 * are reset (TCP RST, the peers see ECONNRESET).
 */
class ResetPeerStage implements ToxicStage {
  readonly held = 0
  private timer: NodeJS.Timeout | undefined
  constructor(
    timeout: number,
    private readonly ctx: StageContext,
  ) {
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.ctx.fired('reset', {timeout})
      this.ctx.reset()
    }, timeout)
  }
  write(chunk: Buffer): void {
    this.ctx.push(chunk)
  }
  end(closeAfter: boolean): void {
    this.ctx.pushEnd(closeAfter)
  }
  flush(): void {
    this.dispose()
  }
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}

export const resetPeer: ToxicDefinition = {
  type: 'reset_peer',
  attributes: {timeout: 'integer'},
  create: (a, ctx) => new ResetPeerStage(a.timeout ?? 0, ctx),
}
