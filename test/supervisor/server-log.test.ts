import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ServerLog} from '../../src/supervisor/index.js'
import {tempDir} from './helpers.js'

let dir: string
let cleanup: () => void
beforeEach(() => ({dir, cleanup} = tempDir()))
afterEach(() => cleanup())

async function closed(stream: PassThrough): Promise<void> {
  stream.end()
  await new Promise((resolve) => stream.once('close', resolve))
}

describe('ServerLog', () => {
  it('writes whole lines per stream, even when chunks split lines and characters', async () => {
    const log = new ServerLog(join(dir, 'nested', 'server.log'), 3)
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    const seen: string[] = []
    log.attach(stdout, (line) => seen.push(line))
    log.attach(stderr, (line) => seen.push(line))
    const euro = Buffer.from('€')
    // A stderr line arrives while stdout holds half a line: neither is cut.
    for (const [stream, chunk] of [
      [stdout, 'hello '],
      [stderr, 'oops\r\n'],
      [stdout, Buffer.concat([Buffer.from('price 5'), euro.subarray(0, 1)])],
      [stdout, Buffer.concat([euro.subarray(1), Buffer.from('\nsecond\nunterminated')])],
    ] as const) {
      stream.write(chunk)
      await new Promise((resolve) => setImmediate(resolve))
    }
    await closed(stdout)
    await closed(stderr)
    log.close()

    expect(seen).toEqual(['oops', 'hello price 5€', 'second', 'unterminated'])
    expect(readFileSync(log.path, 'utf8')).toBe('oops\nhello price 5€\nsecond\nunterminated\n')
    expect(log.tail()).toEqual(['hello price 5€', 'second', 'unterminated'])
  })

  it('appends across opens, with marker lines that are not part of the tail', async () => {
    const path = join(dir, 'server.log')
    for (const round of [1, 2]) {
      const log = new ServerLog(path)
      log.marker(`start #${round}`)
      log.resetTail()
      const out = new PassThrough()
      log.attach(out)
      out.write(`run ${round}\n`)
      await closed(out)
      expect(log.tail()).toEqual([`run ${round}`])
      log.close()
    }
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[0]).toMatch(/^==> faultline \d{4}-\d\d-\d\dT.*Z: start #1$/)
    expect(lines[1]).toBe('run 1')
    expect(lines[2]).toMatch(/: start #2$/)
    expect(lines[3]).toBe('run 2')
  })
})
