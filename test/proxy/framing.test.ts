import {describe, expect, it} from 'vitest'
import {encodeFrame, FrameDecoder, FrameError, type Framing} from '../../src/proxy/tcp/framing.js'

const ndjson: Framing = {type: 'ndjson', maxFrameBytes: 64}
const texts = (frames: Buffer[]) => frames.map((f) => f.toString('utf8'))

describe('FrameDecoder: newline-delimited JSON', () => {
  it('joins a frame split across chunks, byte by byte', () => {
    const decoder = new FrameDecoder(ndjson)
    const wire = Buffer.from('{"a":1}\n')
    const out: Buffer[] = []
    for (let i = 0; i < wire.length; i++) out.push(...decoder.push(wire.subarray(i, i + 1)))
    expect(texts(out)).toEqual(['{"a":1}'])
    expect(decoder.buffered).toBe(0)
  })

  it('cuts several frames out of one chunk and keeps the partial rest', () => {
    const decoder = new FrameDecoder(ndjson)
    expect(texts(decoder.push(Buffer.from('{"a":1}\n{"b":2}\r\n\n{"c":')))).toEqual(['{"a":1}', '{"b":2}'])
    expect(decoder.buffered).toBe(5)
    expect(texts(decoder.push(Buffer.from('3}\n')))).toEqual(['{"c":3}'])
  })

  it('throws FL_FRAME_TOO_LARGE for a line over the limit, before its newline arrives', () => {
    const decoder = new FrameDecoder(ndjson)
    decoder.push(Buffer.alloc(40, 'x'))
    expect(() => decoder.push(Buffer.alloc(40, 'x'))).toThrow(FrameError)
    const complete = new FrameDecoder(ndjson)
    expect(() => complete.push(Buffer.from(`${'y'.repeat(70)}\n`))).toThrow(/exceeds the limit of 64/)
  })

  it('encodes with a trailing newline and refuses payloads holding one', () => {
    expect(encodeFrame(ndjson, Buffer.from('{}')).toString()).toBe('{}\n')
    expect(() => encodeFrame(ndjson, Buffer.from('a\nb'))).toThrow(FrameError)
  })
})

describe('FrameDecoder: length-prefixed', () => {
  for (const headerBytes of [1, 2, 4] as const) {
    for (const byteOrder of ['big', 'little'] as const) {
      it(`round-trips ${headerBytes}-byte ${byteOrder}-endian headers, split anywhere`, () => {
        const framing: Framing = {type: 'length-prefixed', headerBytes, byteOrder, maxFrameBytes: 200}
        const payloads = ['{"n":1}', '', '{"text":"' + 'z'.repeat(150) + '"}'].map((t) => Buffer.from(t))
        const wire = Buffer.concat(payloads.map((p) => encodeFrame(framing, p)))
        expect(wire.length).toBe(payloads.reduce((n, p) => n + p.length + headerBytes, 0))
        for (const cut of [1, 3, 7, wire.length]) {
          const decoder = new FrameDecoder(framing)
          const out: Buffer[] = []
          for (let i = 0; i < wire.length; i += cut) out.push(...decoder.push(wire.subarray(i, i + cut)))
          expect(texts(out)).toEqual(payloads.map((p) => p.toString()))
          expect(decoder.buffered).toBe(0)
        }
      })
    }
  }

  it('reads the byte order it is told', () => {
    const big = new FrameDecoder({type: 'length-prefixed', headerBytes: 2, byteOrder: 'big', maxFrameBytes: 10})
    expect(texts(big.push(Buffer.from([0x00, 0x02, 0x7b, 0x7d])))).toEqual(['{}'])
    const little = new FrameDecoder({type: 'length-prefixed', headerBytes: 2, byteOrder: 'little', maxFrameBytes: 10})
    expect(texts(little.push(Buffer.from([0x02, 0x00, 0x7b, 0x7d])))).toEqual(['{}'])
  })

  it('throws FL_FRAME_TOO_LARGE as soon as a header announces too much', () => {
    const decoder = new FrameDecoder({type: 'length-prefixed', headerBytes: 4, byteOrder: 'big', maxFrameBytes: 1024})
    const header = Buffer.alloc(4)
    header.writeUInt32BE(1025)
    try {
      decoder.push(header)
      expect.unreachable('an oversized header must throw')
    } catch (err) {
      expect(err).toBeInstanceOf(FrameError)
      expect((err as FrameError).code).toBe('FL_FRAME_TOO_LARGE')
    }
  })

  it('refuses to encode a payload its header cannot describe', () => {
    expect(() => encodeFrame({type: 'length-prefixed', headerBytes: 1, byteOrder: 'big', maxFrameBytes: 1000}, Buffer.alloc(256))).toThrow(/does not fit/)
  })
})
