/**
 * Message framing for RPC over plain TCP: newline-delimited JSON, or frames with a
 * 1, 2 or 4 byte length header in either byte order. One frame is one message.
 */

export type Framing =
  | {type: 'ndjson'; maxFrameBytes: number}
  | {type: 'length-prefixed'; headerBytes: 1 | 2 | 4; byteOrder: 'big' | 'little'; maxFrameBytes: number}

export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024

/** A byte stream that cannot be framed: the connection carrying it must be closed. */
export class FrameError extends Error {
  constructor(
    readonly code: 'FL_FRAME_TOO_LARGE' | 'FL_FRAME_UNENCODABLE',
    message: string,
  ) {
    super(message)
    this.name = 'FrameError'
  }
}

const NEWLINE = 0x0a
const CR = 0x0d

/** The largest payload a length header of this size can describe. */
function headerLimit(headerBytes: 1 | 2 | 4): number {
  return headerBytes === 4 ? 0xffffffff : headerBytes === 2 ? 0xffff : 0xff
}

/**
 * Cuts a byte stream into frame payloads. Chunks may split a frame anywhere (even inside a
 * length header) or hold several frames. A frame larger than `maxFrameBytes` throws a
 * FrameError as soon as that is known, before the rest of it is buffered.
 */
export class FrameDecoder {
  private chunks: Buffer[] = []
  private length = 0
  /** ndjson: bytes of the buffered chunks already searched for a newline. */
  private scanned = 0

  constructor(private readonly framing: Framing) {}

  /** Bytes held that do not yet make a whole frame. */
  get buffered(): number {
    return this.length
  }

  push(chunk: Buffer): Buffer[] {
    if (chunk.length === 0) return []
    this.chunks.push(chunk)
    this.length += chunk.length
    return this.framing.type === 'ndjson' ? this.lines() : this.prefixed(this.framing)
  }

  private take(bytes: number): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.length)
    const out = all.subarray(0, bytes)
    const rest = all.subarray(bytes)
    this.chunks = rest.length > 0 ? [rest] : []
    this.length = rest.length
    return out
  }

  private lines(): Buffer[] {
    const frames: Buffer[] = []
    for (;;) {
      let index = -1
      let offset = 0
      for (const chunk of this.chunks) {
        if (offset + chunk.length > this.scanned) {
          const from = Math.max(0, this.scanned - offset)
          const at = chunk.indexOf(NEWLINE, from)
          if (at !== -1) {
            index = offset + at
            break
          }
        }
        offset += chunk.length
      }
      if (index === -1) {
        this.scanned = this.length
        if (this.length > this.framing.maxFrameBytes) {
          throw new FrameError('FL_FRAME_TOO_LARGE', `a line of more than ${this.framing.maxFrameBytes} bytes without a newline`)
        }
        return frames
      }
      if (index > this.framing.maxFrameBytes) {
        throw new FrameError('FL_FRAME_TOO_LARGE', `a line of ${index} bytes exceeds the limit of ${this.framing.maxFrameBytes}`)
      }
      const line = this.take(index + 1)
      this.scanned = 0
      let end = line.length - 1
      if (end > 0 && line[end - 1] === CR) end -= 1
      const payload = line.subarray(0, end)
      // Blank lines (keep-alives, a trailing \r\n pair) carry no message.
      if (payload.toString('utf8').trim() !== '') frames.push(payload)
    }
  }

  private prefixed(framing: Extract<Framing, {type: 'length-prefixed'}>): Buffer[] {
    const frames: Buffer[] = []
    const {headerBytes} = framing
    while (this.length >= headerBytes) {
      const head = this.chunks[0] && this.chunks[0].length >= headerBytes ? this.chunks[0] : Buffer.concat(this.chunks, this.length)
      const size = readLength(head, headerBytes, framing.byteOrder)
      if (size > framing.maxFrameBytes) {
        throw new FrameError('FL_FRAME_TOO_LARGE', `a frame header announces ${size} bytes, more than the limit of ${framing.maxFrameBytes}`)
      }
      if (this.length < headerBytes + size) break
      frames.push(this.take(headerBytes + size).subarray(headerBytes))
    }
    return frames
  }
}

function readLength(buf: Buffer, bytes: 1 | 2 | 4, order: 'big' | 'little'): number {
  if (bytes === 1) return buf.readUInt8(0)
  if (bytes === 2) return order === 'big' ? buf.readUInt16BE(0) : buf.readUInt16LE(0)
  return order === 'big' ? buf.readUInt32BE(0) : buf.readUInt32LE(0)
}

/** One payload as it goes on the wire: with its newline, or behind its length header. */
export function encodeFrame(framing: Framing, payload: Buffer): Buffer {
  if (framing.type === 'ndjson') {
    if (payload.includes(NEWLINE)) throw new FrameError('FL_FRAME_UNENCODABLE', 'a newline-delimited frame cannot contain a newline')
    return Buffer.concat([payload, Buffer.from('\n')])
  }
  const {headerBytes, byteOrder} = framing
  if (payload.length > headerLimit(headerBytes)) {
    throw new FrameError('FL_FRAME_UNENCODABLE', `a ${payload.length}-byte frame does not fit a ${headerBytes}-byte length header`)
  }
  const head = Buffer.alloc(headerBytes)
  if (headerBytes === 1) head.writeUInt8(payload.length, 0)
  else if (headerBytes === 2 && byteOrder === 'big') head.writeUInt16BE(payload.length, 0)
  else if (headerBytes === 2) head.writeUInt16LE(payload.length, 0)
  else if (byteOrder === 'big') head.writeUInt32BE(payload.length, 0)
  else head.writeUInt32LE(payload.length, 0)
  return Buffer.concat([head, payload])
}

/** A short description for events and docs: `ndjson`, `length-prefixed(4, big)`. */
export function describeFraming(framing: Framing): string {
  return framing.type === 'ndjson' ? 'ndjson' : `length-prefixed(${framing.headerBytes}, ${framing.byteOrder})`
}
