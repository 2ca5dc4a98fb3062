import {createWriteStream, openSync, type WriteStream} from 'node:fs'
import {finished} from 'node:stream/promises'
import {UsageError} from '../errors.js'
import type {EventLog, ProxyEvent} from '../events/event-log.js'

/**
 * Writes every event of a log to a file as JSON lines, streaming: nothing is kept once it is
 * written. The lines of one turn of the event loop go to the file stream in one write (a busy
 * proxy records thousands of events a second); while the disk is slower than the events, they
 * wait in the stream's buffer (events cannot be paused). Refuses to overwrite an existing file
 * unless `overwrite` is set: nothing a user has is replaced without asking.
 */
export class EventsFileWriter {
  private readonly stream: WriteStream
  private pending = ''
  private flushScheduled = false
  private readonly listener = (event: ProxyEvent) => {
    this.pending += `${JSON.stringify(event)}\n`
    if (!this.flushScheduled) {
      this.flushScheduled = true
      setImmediate(this.flush)
    }
  }
  private readonly flush = (): void => {
    this.flushScheduled = false
    if (this.pending === '') return
    this.stream.write(this.pending)
    this.pending = ''
  }

  constructor(
    private readonly events: EventLog,
    readonly path: string,
    overwrite = false,
  ) {
    let fd: number
    try {
      // 'wx' fails if the file exists: the check and the creation are one step.
      fd = openSync(path, overwrite ? 'w' : 'wx')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EEXIST') throw new UsageError(`--events ${path}: the file exists; remove it, choose another name, or pass --force to overwrite it`)
      throw new UsageError(`--events ${path}: cannot create the file (${code ?? (err as Error).message}); choose a path in a writable folder`)
    }
    this.stream = createWriteStream('', {fd})
    this.stream.on('error', () => undefined) // reported by close()
    events.on('event', this.listener)
  }

  async close(): Promise<void> {
    this.events.off('event', this.listener)
    this.flush()
    this.stream.end()
    await finished(this.stream)
  }
}
