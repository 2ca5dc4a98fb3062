import type {StageContext, ToxicDefinition, ToxicStage} from '../toxic.js'

/**
 * Data passes until `timeout` ms after the toxic started (0 or less = at once); then both
 * sockets are reset (TCP RST, the peers see ECONNRESET). A chunk that arrives at or after the
 * deadline is never passed on, even when it wins the race against the timer: it triggers the
 * reset itself (so does an end). So with `timeout: 0` not one byte crosses, as with Toxiproxy.
 */
class ResetPeerStage implements ToxicStage {
  readonly held = 0
  private timer: NodeJS.Timeout | undefined
  private readonly deadline: number
  private done = false
  constructor(
    private readonly timeout: number,
    private readonly ctx: StageContext,
  ) {
    this.deadline = performance.now() + Math.max(0, timeout)
    this.timer = setTimeout(() => this.fire(), Math.max(0, timeout))
  }
  private fire(): void {
    if (this.done) return
    this.done = true
    this.dispose()
    this.ctx.fired('reset', {timeout: this.timeout})
    this.ctx.reset()
  }
  write(chunk: Buffer): void {
    if (this.done) return
    if (performance.now() >= this.deadline) return this.fire()
    this.ctx.push(chunk)
  }
  end(closeAfter: boolean): void {
    if (this.done) return
    if (performance.now() >= this.deadline) return this.fire()
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
