import {close, write} from 'node:fs'
import {promisify} from 'node:util'
import {HAR_TAIL, harHead, type HarEntry} from './har.js'

const writeAt = promisify((fd: number, text: string, position: number, done: (err: NodeJS.ErrnoException | null) => void) =>
  write(fd, text, position, 'utf8', (err) => done(err)),
)
const closeFd = promisify(close)

/**
 * A HAR 1.2 file that is complete JSON after every entry: each entry is written over the
 * closing brackets, followed by them again. Whenever the process stops between two writes,
 * the file on disk is a valid HAR holding every entry written so far. Writes happen one at a
 * time, in the order entries were added.
 */
export class HarFile {
  /** Where the closing brackets start: the next entry goes there. */
  private offset: number
  private entries = 0
  private queue: Promise<void>
  private failure: Error | undefined
  private closed = false

  constructor(
    private readonly fd: number,
    creator: {name: string; version: string},
  ) {
    const head = harHead(creator)
    this.offset = Buffer.byteLength(head)
    this.queue = this.run(() => writeAt(fd, head + HAR_TAIL, 0))
  }

  /** Entries added so far. */
  get count(): number {
    return this.entries
  }

  add(entry: HarEntry): void {
    if (this.closed) return
    const text = `${this.entries === 0 ? '' : ','}\n      ${JSON.stringify(entry)}`
    this.entries += 1
    const at = this.offset
    this.offset += Buffer.byteLength(text)
    this.queue = this.queue.then(() => this.run(() => writeAt(this.fd, text + HAR_TAIL, at)))
  }

  /** Resolves once every entry added so far is on disk. */
  flushed(): Promise<void> {
    return this.queue
  }

  /** Wait for every entry to be on disk, close the file; throws the first write error. */
  async close(): Promise<void> {
    this.closed = true
    await this.queue
    await closeFd(this.fd)
    if (this.failure) throw this.failure
  }

  private async run(step: () => Promise<void>): Promise<void> {
    if (this.failure) return
    try {
      await step()
    } catch (err) {
      this.failure = err as Error
    }
  }
}
