/**
 * What an exchange keeps of a reply it streams to the client: how many bytes went through,
 * and the first `limit` of them as 'reply-end' evidence (0 keeps none).
 */
export class ReplyCapture {
  bytes = 0
  private readonly chunks: Buffer[] = []
  private captured = 0

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    this.bytes += chunk.length
    if (this.captured >= this.limit) return
    this.chunks.push(chunk)
    this.captured += chunk.length
  }

  /** The bytes kept, or undefined when none were. */
  kept(): Buffer | undefined {
    return this.captured > 0 ? Buffer.concat(this.chunks) : undefined
  }
}
