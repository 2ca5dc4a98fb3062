import type {Socket} from 'node:net'
import type {Random} from '../../random.js'
import {PassStage} from './toxics/noop.js'
import type {StageContext, Stream, ToxicDefinition, ToxicSpec, ToxicStage} from './toxic.js'

/** What a link tells its connection. */
export interface LinkHooks {
  /** A toxic ended this direction and asked for the whole connection to close (FIN). */
  closeConnection(stream: Stream): void
  /** A toxic asked for a reset of both sockets (RST). */
  reset(stream: Stream): void
  /** A toxic started on this link; `applied` is the toxicity roll. */
  started(spec: ToxicSpec, applied: boolean): void
  fired(spec: ToxicSpec, what: string, detail?: Record<string, unknown>): void
}

interface Slot {
  spec: ToxicSpec
  stage: ToxicStage
  /** Cleared when the stage is replaced or removed: a dead stage's pushes go nowhere. */
  alive: {value: boolean}
  next: Slot | null
}

/**
 * Bytes one link may hold (in its toxic stages plus the destination socket's write buffer)
 * before it stops reading its source; it reads again below LOW_WATER. A slow reader so costs
 * under a MiB per direction, whatever a latency or bandwidth toxic holds back. It also caps a
 * latency toxic's throughput at HIGH_WATER per latency (512 KiB / 10 ms ≈ 50 MiB/s).
 */
export const HIGH_WATER = 512 * 1024
const LOW_WATER = HIGH_WATER >> 1

/**
 * One direction of one connection: bytes read from `src` go to `dst`.
 *
 * With no toxic the link is `src.pipe(dst, {end: false})`: Node's own forwarding with its
 * backpressure (pause on a full write buffer, resume on 'drain') and nothing of the link's per
 * chunk. With toxics, the link reads `src` itself ('data') and each chunk enters the chain of
 * stages, in the order the toxics were added. Adding the first toxic unpipes (the source is
 * paused, what it has read stays in its buffer) before the link listens for 'data'; removing
 * the last pipes again once the stages have handed on what they held. Adding, replacing or
 * removing a stage is synchronous and a stage hands on what it holds before it leaves, so a
 * live change never loses or reorders a byte. The chain is hand-rolled rather than
 * `stream.pipeline` because a pipeline cannot be rewired on a live connection. The end of
 * `src` (FIN) is always the link's own: it ends `dst` after the last stage, so a half-closed
 * connection stays half open.
 *
 * Byte counts come from the sockets (only this link writes to `dst`), not from counting chunks.
 */
export class Link {
  /** The most bytes this link has held at once while it had toxics (see `buffered`). */
  peakBuffered = 0
  private slots: Slot[] = []
  private head: Slot | null = null
  /** 'pipe': `src.pipe(dst)`; 'read': the link's own 'data' listener (toxics, or discarding). */
  private mode: 'idle' | 'pipe' | 'read' = 'idle'
  private paused = false
  private dstBlocked = false
  private srcEnded = false
  private sinkEnded = false
  private stopped = false

  constructor(
    readonly stream: Stream,
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly hooks: LinkHooks,
  ) {}

  /** Start forwarding: a pipe with no toxic, else the chain of stages added so far. */
  start(): void {
    if (this.mode !== 'idle') return
    this.src.on('end', this.onEnd)
    if (this.head === null && !this.stopped) this.toPipe()
    else this.toRead()
  }

  /** Bytes read from `src` and handed on (to the stages or `dst`). */
  get bytesIn(): number {
    return this.src.bytesRead - this.src.readableLength
  }

  /** Bytes written to `dst` (queued or sent). */
  get bytesOut(): number {
    return this.dst.bytesWritten ?? 0
  }

  /** True while bytes go through Node's pipe (no toxic), false while they go through the link. */
  get piped(): boolean {
    return this.mode === 'pipe'
  }

  /** Stop forwarding: drop what the stages hold, clear their timers, discard further input. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    for (const slot of this.slots) {
      slot.alive.value = false
      slot.stage.dispose()
    }
    this.slots = []
    this.head = null
    if (this.mode === 'pipe') this.toRead() // onData discards once stopped
    if (this.paused) this.src.resume()
  }

  /** No toxic left: forward with `src.pipe(dst)`, which pauses and resumes `src` itself. */
  private toPipe(): void {
    if (this.mode === 'read') {
      // synchronous up to pipe()'s own 'data' listener: no chunk can be emitted to nobody
      this.src.off('data', this.onData)
      this.dst.off('drain', this.onDrain)
    }
    this.mode = 'pipe'
    this.paused = false
    this.dstBlocked = false
    this.src.pipe(this.dst, {end: false})
  }

  /** Toxics (or stopped): the link reads `src` itself. What `src` has buffered stays in order. */
  private toRead(): void {
    if (this.mode === 'pipe') {
      this.src.unpipe(this.dst) // pauses `src`
      this.paused = true
      this.dstBlocked = this.dst.writableNeedDrain
    }
    this.mode = 'read'
    this.src.on('data', this.onData)
    this.dst.on('drain', this.onDrain)
    if (this.paused) this.maybeResume()
  }

  get toxicNames(): string[] {
    return this.slots.map((s) => s.spec.name)
  }

  /** Start a toxic at the end of the chain. `random` has already been used for nothing. */
  add(spec: ToxicSpec, definition: ToxicDefinition, random: Random): void {
    if (this.stopped) return
    const slot: Slot = {spec, stage: undefined as unknown as ToxicStage, alive: {value: true}, next: null}
    slot.stage = this.startStage(slot, definition, random)
    const last = this.slots[this.slots.length - 1]
    if (last) last.next = slot
    this.slots.push(slot)
    this.head = this.slots[0] ?? null
    if (this.mode === 'pipe') this.toRead()
  }

  /** Replace a running toxic in place: the old stage hands on what it holds first. */
  replace(spec: ToxicSpec, definition: ToxicDefinition, random: Random): void {
    const slot = this.slots.find((s) => s.spec.name === spec.name)
    if (!slot || this.stopped) return
    slot.stage.flush()
    if (this.stopped) return // flushing may have closed the connection (timeout)
    slot.alive.value = false
    slot.stage.dispose()
    slot.spec = spec
    slot.alive = {value: true}
    slot.stage = this.startStage(slot, definition, random)
  }

  remove(name: string): void {
    const index = this.slots.findIndex((s) => s.spec.name === name)
    const slot = this.slots[index]
    if (!slot || this.stopped) return
    slot.stage.flush()
    if (this.stopped) return
    slot.alive.value = false
    slot.stage.dispose()
    const prev = this.slots[index - 1]
    if (prev) prev.next = slot.next
    this.slots.splice(index, 1)
    this.head = this.slots[0] ?? null
    if (this.head === null && this.mode === 'read' && !this.sinkEnded && !this.srcEnded) this.toPipe()
    else this.maybeResume()
  }

  private startStage(slot: Slot, definition: ToxicDefinition, random: Random): ToxicStage {
    const alive = slot.alive
    const ctx: StageContext = {
      random,
      push: (chunk) => {
        if (!alive.value) return
        if (slot.next) {
          slot.next.stage.write(chunk)
          this.maybeResume() // a later stage may have dropped it (timeout): held bytes went down
        } else this.sinkWrite(chunk)
      },
      pushEnd: (closeAfter) => {
        if (!alive.value) return
        if (slot.next) slot.next.stage.end(closeAfter)
        else this.sinkEnd(closeAfter)
      },
      reset: () => {
        if (alive.value) this.hooks.reset(this.stream)
      },
      fired: (what, detail) => {
        if (alive.value) this.hooks.fired(slot.spec, what, detail)
      },
    }
    const applied = random.chance(slot.spec.toxicity)
    this.hooks.started(slot.spec, applied)
    return applied ? definition.create(slot.spec.attributes, ctx) : new PassStage(ctx)
  }

  private held(): number {
    let n = 0
    for (const slot of this.slots) n += slot.stage.held
    return n
  }

  /** Bytes read from the source and not yet handed to the kernel: held by toxics or queued on `dst`. */
  get buffered(): number {
    return this.held() + this.dst.writableLength
  }

  /** False while backpressure holds the source back (not read until `dst` drains). */
  get reading(): boolean {
    return this.mode === 'pipe' ? this.src.readableFlowing === true : !this.paused
  }

  private measure(): number {
    const n = this.buffered
    if (n > this.peakBuffered) this.peakBuffered = n
    return n
  }

  private readonly onData = (chunk: Buffer): void => {
    const head = this.head
    if (head === null) {
      // stopped, or the toxics ended `dst` and left: nothing more goes out
      if (this.stopped || this.sinkEnded) return
      if (!this.dst.write(chunk)) {
        this.dstBlocked = true
        this.pause()
      }
      return
    }
    head.stage.write(chunk)
    if (this.stopped) return // the chunk made a toxic close or reset the connection
    if (this.dstBlocked || this.measure() > HIGH_WATER) this.pause()
  }

  private readonly onEnd = (): void => {
    this.srcEnded = true
    if (this.stopped) return
    if (this.head) this.head.stage.end(false)
    else this.sinkEnd(false)
  }

  private readonly onDrain = (): void => {
    this.dstBlocked = false
    this.maybeResume()
  }

  private sinkWrite(chunk: Buffer): void {
    if (this.sinkEnded || this.dst.destroyed) return
    // A full destination stops the source too: else a toxic stage would keep releasing what
    // the source keeps reading into an ever longer write queue.
    if (!this.dst.write(chunk)) {
      this.dstBlocked = true
      this.measure()
      this.pause()
    } else this.maybeResume()
  }

  private sinkEnd(closeAfter: boolean): void {
    if (!this.sinkEnded) {
      this.sinkEnded = true
      if (!this.dst.destroyed && !this.dst.writableEnded) this.dst.end()
    }
    if (closeAfter) this.hooks.closeConnection(this.stream)
  }

  private pause(): void {
    if (this.paused) return
    this.paused = true
    this.src.pause()
  }

  private maybeResume(): void {
    if (!this.paused || this.dstBlocked || this.srcEnded) return
    if (this.buffered > LOW_WATER) return
    this.paused = false
    this.src.resume()
  }
}
