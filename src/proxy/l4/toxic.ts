import type {Random} from '../../random.js'

/** Toxiproxy's word for a direction: upstream = client → server, downstream = server → client. */
export type Stream = 'upstream' | 'downstream'
export const STREAMS: readonly Stream[] = ['upstream', 'downstream']

/** One toxic as the control API describes it. Attributes are numbers; missing ones are 0. */
export interface ToxicSpec {
  name: string
  type: string
  stream: Stream
  /** Probability in [0, 1] that the toxic applies to one connection and direction. */
  toxicity: number
  attributes: Record<string, number>
}

/** Why a toxic ends a connection: a graceful close (FIN) or a reset (RST). */
export type CloseKind = 'close' | 'reset'

/**
 * What a toxic stage may do. `push` and `pushEnd` hand data on to the next stage of the
 * chain (or the destination socket); both are synchronous.
 */
export interface StageContext {
  readonly random: Random
  push(chunk: Buffer): void
  /** The direction's end (FIN). With `closeAfter`, the whole connection closes once it is written. */
  pushEnd(closeAfter: boolean): void
  /** Reset both sockets now (RST). */
  reset(): void
  /** Record that this toxic fired (a close, a reset, a truncation). */
  fired(what: string, detail?: Record<string, unknown>): void
}

/**
 * One toxic running on one connection and direction. Stages form a chain; each stage
 * receives data with `write` and the direction's end with `end`.
 */
export interface ToxicStage {
  write(chunk: Buffer): void
  end(closeAfter: boolean): void
  /** Bytes this stage holds right now (for backpressure). */
  readonly held: number
  /**
   * The toxic is being removed or replaced: hand on everything held, in order, right now.
   * Any timers must be cleared here or in `dispose`.
   */
  flush(): void
  /** The connection closed: clear timers, drop what is held. */
  dispose(): void
}

/** One toxic type: its attributes (all numeric, default 0) and how to build a stage. */
export interface ToxicDefinition {
  type: string
  /** Attribute names with their kind; `integer` rejects fractions like Toxiproxy's int64 fields. */
  attributes: Readonly<Record<string, 'integer' | 'number'>>
  create(attributes: Readonly<Record<string, number>>, ctx: StageContext): ToxicStage
}
