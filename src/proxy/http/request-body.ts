import type {IncomingHttpHeaders, IncomingMessage} from 'node:http'

/** Whether a request carries a body (RFC 9112 §6.3). */
export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true
  const length = headers['content-length']
  return length !== undefined && length !== '0'
}

/** Read a whole message body with plain stream events (cheaper than an async iterator per request). */
export function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)))
    stream.once('error', reject)
    stream.once('close', () => {
      if (!stream.complete) reject(new Error('the client closed the connection before sending the whole request'))
    })
  })
}
