/**
 * gRPC's length-prefixed messages (PROTOCOL-HTTP2.md): each message is a 1-byte
 * compressed flag, a 4-byte big-endian length, then the message bytes.
 */

export interface GrpcMessage {
  compressed: boolean
  data: Buffer
}

export class MalformedFrameError extends Error {
  readonly code = 'FL_GRPC_MALFORMED'
}

/** Largest message the proxy accepts when it has to hold a unary request (gRPC's default limit). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024

/**
 * Split a complete body into messages. Throws MalformedFrameError for a truncated prefix,
 * a length past the end, an unknown flag, or a message over `maxBytes`.
 */
export function parseMessages(body: Buffer, maxBytes = MAX_MESSAGE_BYTES): GrpcMessage[] {
  const messages: GrpcMessage[] = []
  let offset = 0
  while (offset < body.length) {
    if (body.length - offset < 5) {
      throw new MalformedFrameError(`truncated message prefix: ${body.length - offset} of 5 bytes at offset ${offset}`)
    }
    const flag = body.readUInt8(offset)
    if (flag > 1) throw new MalformedFrameError(`unknown compressed flag ${flag} at offset ${offset}`)
    const length = body.readUInt32BE(offset + 1)
    if (length > maxBytes) throw new MalformedFrameError(`message of ${length} bytes exceeds the ${maxBytes}-byte limit`)
    const end = offset + 5 + length
    if (end > body.length) {
      throw new MalformedFrameError(`message declares ${length} bytes but only ${body.length - offset - 5} follow`)
    }
    messages.push({compressed: flag === 1, data: body.subarray(offset + 5, end)})
    offset = end
  }
  return messages
}

/** One message with its 5-byte prefix. */
export function frameMessage(data: Buffer, compressed = false): Buffer {
  const prefix = Buffer.alloc(5)
  prefix.writeUInt8(compressed ? 1 : 0, 0)
  prefix.writeUInt32BE(data.length, 1)
  return Buffer.concat([prefix, data])
}
