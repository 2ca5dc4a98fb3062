import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {CountDisplay} from '../../src/record/count-display.js'
import {RouteCounts} from '../../src/record/route-counts.js'

/** A stand-in for stderr that keeps what was written. */
function fakeStream(tty: boolean): NodeJS.WriteStream & {text: () => string} {
  const writes: string[] = []
  return {isTTY: tty, columns: 40, write: (s: string) => writes.push(s) > 0, text: () => writes.join('')} as unknown as NodeJS.WriteStream & {text: () => string}
}

describe('CountDisplay', () => {
  beforeEach(() => void vi.useFakeTimers())
  afterEach(() => void vi.useRealTimers())

  it('prints a plain line per period in which something changed when stderr is not a terminal', () => {
    const counts = new RouteCounts()
    const stream = fakeStream(false)
    const display = new CountDisplay(counts, stream, {everyMs: 1000})
    vi.advanceTimersByTime(3000)
    expect(stream.text()).toBe('')
    counts.add('GET /a')
    counts.add('GET /a')
    vi.advanceTimersByTime(1000)
    counts.add('POST /b')
    vi.advanceTimersByTime(3000)
    display.stop()
    expect(stream.text()).toBe('recorded 2: GET /a 2\nrecorded 3: GET /a 2  POST /b 1\nrecorded 3: GET /a 2  POST /b 1\n')
  })

  it('rewrites one line in place on a terminal, and clears it before the final count', () => {
    const counts = new RouteCounts()
    const stream = fakeStream(true)
    const display = new CountDisplay(counts, stream, {everyMs: 200})
    counts.add('GET /a')
    vi.advanceTimersByTime(200)
    expect(stream.text()).toBe(`\r${'recorded 1: GET /a 1'.padEnd(39)}`)
    display.stop()
    expect(stream.text().endsWith(`\r${' '.repeat(39)}\rrecorded 1: GET /a 1\n`)).toBe(true)
  })
})
