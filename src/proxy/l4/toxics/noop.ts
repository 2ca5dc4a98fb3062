import type {StageContext, ToxicDefinition, ToxicStage} from '../toxic.js'

/** Passes data and ends through unchanged. Also used when toxicity says "not this connection". */
export class PassStage implements ToxicStage {
  readonly held = 0
  constructor(private readonly ctx: StageContext) {}
  write(chunk: Buffer): void {
    this.ctx.push(chunk)
  }
  end(closeAfter: boolean): void {
    this.ctx.pushEnd(closeAfter)
  }
  flush(): void {}
  dispose(): void {}
}

export const noop: ToxicDefinition = {
  type: 'noop',
  attributes: {},
  create: (_attributes, ctx) => new PassStage(ctx),
}
