import {brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync} from 'node:zlib'

/** A body that would decode to more than this is kept as it passed (a compression bomb stays small). */
const MAX_DECODED_BYTES = 64 * 1024 * 1024
const LIMIT = {maxOutputLength: MAX_DECODED_BYTES}

/** Decoders for the `Content-Encoding` codings Node's zlib knows. */
const DECODERS: Record<string, (body: Buffer) => Buffer> = {
  gzip: (body) => gunzipSync(body, LIMIT),
  'x-gzip': (body) => gunzipSync(body, LIMIT),
  br: (body) => brotliDecompressSync(body, LIMIT),
  // RFC 9110 says zlib-wrapped; some servers send raw deflate.
  deflate: (body) => {
    try {
      return inflateSync(body, LIMIT)
    } catch {
      return inflateRawSync(body, LIMIT)
    }
  },
}

/**
 * A body as it was before the server applied `Content-Encoding` (`gzip`, `br`, `deflate`, or
 * several, applied in the order listed), as HAR's `content.text` holds it. Undefined when there
 * is no coding, a coding zlib does not know, or bytes that do not decode: the caller keeps the
 * bytes as they passed.
 */
export function decodeContent(body: Buffer, contentEncoding: string | undefined): Buffer | undefined {
  const codings = (contentEncoding ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity')
  if (codings.length === 0) return undefined
  let decoded = body
  try {
    for (const coding of codings.reverse()) {
      const decoder = DECODERS[coding]
      if (!decoder) return undefined
      decoded = decoder(decoded)
    }
  } catch {
    return undefined
  }
  return decoded
}
