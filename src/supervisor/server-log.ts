import {closeSync, mkdirSync, openSync, writeSync} from 'node:fs'
import {dirname} from 'node:path'
import type {Readable} from 'node:stream'
import {StringDecoder} from 'node:string_decoder'

const MAX_TAIL_LINE = 500

/**
 * The log file of the server under test for one run. The server's stdout and
 * stderr are split into lines (per stream, so the two never interleave inside a
 * line) and appended synchronously: a line that reached faultline is on disk even
 * if faultline is killed a moment later. Starts and exits get marker lines, so
 * the file reads as one story across restarts. The last lines since the latest
 * start are kept in memory for error messages.
 */
export class ServerLog {
  readonly path: string
  private readonly tailSize: number
  private fd: number | undefined
  private lines: string[] = []

  constructor(path: string, tailSize = 10) {
    this.path = path
    this.tailSize = tailSize
  }

  /** Open the file for appending, creating its directory. Idempotent. */
  open(): void {
    if (this.fd !== undefined) return
    mkdirSync(dirname(this.path), {recursive: true})
    this.fd = openSync(this.path, 'a')
  }

  /** Append a faultline marker line (not part of the tail). */
  marker(text: string): void {
    this.write(`==> faultline ${new Date().toISOString()}: ${text}\n`)
  }

  /** Forget the tail: the lines of a new start begin here. */
  resetTail(): void {
    this.lines = []
  }

  /** The last lines the server wrote since the latest `resetTail`, oldest first. */
  tail(): string[] {
    return [...this.lines]
  }

  /**
   * Copy `stream` into the log line by line; `onLine` sees every complete line
   * (and a final unterminated one when the stream ends).
   */
  attach(stream: Readable, onLine?: (line: string) => void): void {
    const decoder = new StringDecoder('utf8')
    let partial = ''
    const take = (lines: string[]): void => {
      if (lines.length === 0) return
      this.write(lines.map((line) => `${line}\n`).join(''))
      for (const line of lines) {
        this.remember(line)
        onLine?.(line)
      }
    }
    stream.on('data', (chunk: Buffer) => {
      const parts = (partial + decoder.write(chunk)).split('\n')
      partial = parts.pop() ?? ''
      take(parts.map(stripCr))
    })
    stream.on('close', () => {
      const rest = partial + decoder.end()
      partial = ''
      if (rest !== '') take([stripCr(rest)])
    })
  }

  close(): void {
    if (this.fd === undefined) return
    closeSync(this.fd)
    this.fd = undefined
  }

  private remember(line: string): void {
    this.lines.push(line.length > MAX_TAIL_LINE ? `${line.slice(0, MAX_TAIL_LINE)}…` : line)
    if (this.lines.length > this.tailSize) this.lines.shift()
  }

  private write(text: string): void {
    if (this.fd === undefined) this.open()
    writeSync(this.fd as number, text)
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line
}
