import {createWriteStream, type WriteStream} from 'node:fs'
import {finished} from 'node:stream/promises'

/**
 * Recorded messages as JSON lines, one object per line, each line written whole. The write
 * stream buffers what the disk has not taken yet; `close` waits until all of it is written.
 */
export class JsonLinesFile {
  private readonly stream: WriteStream
  private lines = 0
  private failure: Error | undefined

  constructor(fd: number) {
    this.stream = createWriteStream('', {fd})
    this.stream.on('error', (err) => (this.failure ??= err))
  }

  /** Lines written so far. */
  get count(): number {
    return this.lines
  }

  add(line: object): void {
    if (this.stream.writableEnded) return
    this.lines += 1
    this.stream.write(`${JSON.stringify(line)}\n`)
  }

  /** Flush and close; throws the first write error. */
  async close(): Promise<void> {
    if (!this.stream.writableEnded) this.stream.end()
    await finished(this.stream).catch((err: Error) => (this.failure ??= err))
    if (this.failure) throw this.failure
  }
}
