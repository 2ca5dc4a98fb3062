/**
 * Receives one reply as it streams in from the server, whatever the protocol: `Head` is what
 * its head carries (HTTP: status and headers), `End` what its end carries (gRPC: trailers).
 * `data` returning false asks for a pause. Exactly one of `end` or `error` is called.
 */
export interface ReplySink<Head extends unknown[], End extends unknown[] = []> {
  /** The request left on a connected socket or session: from here on it is a delivery. */
  start?(): void
  head(...head: Head): void
  data(chunk: Buffer): boolean
  end(...end: End): void
  error(err: Error): void
}

/** A delivery whose reply is read whole: the reply once it ended, and the handle of the delivery. */
export interface WholeReply<R, H> {
  reply: Promise<R>
  handle: H
}

/** What a caller of a whole-reply delivery hears before the reply ends. */
export interface WholeReplyEvents<Head extends unknown[]> {
  /** The reply's head arrived. */
  head?: (...head: Head) => void
  /** The request left: it is a delivery. */
  start?: () => void
}

/**
 * Read a reply into memory: `deliver` starts the delivery with a sink and returns its handle;
 * `build` makes the reply of its head, all its bytes and its end.
 */
export function readWhole<Head extends unknown[], End extends unknown[], R, H>(
  deliver: (sink: ReplySink<Head, End>) => H,
  build: (head: Partial<Head>, body: Buffer, end: End) => R,
  events: WholeReplyEvents<Head> = {},
): WholeReply<R, H> {
  let handle!: H
  const reply = new Promise<R>((resolve, reject) => {
    let head = [] as unknown as Partial<Head>
    const chunks: Buffer[] = []
    handle = deliver({
      start: events.start,
      head: (...h) => {
        head = h
        events.head?.(...h)
      },
      data: (chunk) => chunks.push(chunk) > 0,
      end: (...end) => resolve(build(head, Buffer.concat(chunks), end)),
      error: reject,
    })
  })
  return {reply, handle}
}
