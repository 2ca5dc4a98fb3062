import {afterEach, describe, expect, it} from 'vitest'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {LiveLog} from '../../src/report/live-log.js'

let live: LiveLog | undefined
afterEach(() => live?.close())

/** A live log over a fresh event log, recording each write and each formatted event. */
function setUp(linesPerSecond?: number) {
  const events = new EventLog()
  const writes: string[] = []
  const formatted: ProxyEvent[] = []
  live = new LiveLog(events, {
    write: (text) => writes.push(text),
    format: (e) => {
      formatted.push(e)
      return `${e.type} ${e.request ?? ''}`
    },
    linesPerSecond,
  })
  return {events, writes, formatted}
}


describe('LiveLog', () => {
  it('prints every event of a readable rate, the lines of one turn of the event loop in one write', async () => {
    const {events, writes} = setUp(50)
    for (let i = 1; i <= 10; i++) events.record({type: 'request', request: `r${i}`})
    expect(writes).toEqual([]) // nothing written synchronously: the batch goes out after this turn
    await new Promise<void>((resolve) => setImmediate(resolve))
    expect(writes).toHaveLength(1)
    expect(writes[0]?.split('\n').filter(Boolean)).toHaveLength(10)
    live?.close()
    expect(writes.join('')).not.toContain('not shown')
  })

  it('past the limit, counts routine events instead of formatting them and prints one summary line', () => {
    const {events, writes, formatted} = setUp(50)
    for (let i = 1; i <= 1000; i++) {
      events.record({type: 'request', request: `r${i}`})
      events.record({type: 'reply', request: `r${i}`})
    }
    events.record({type: 'fault', request: 'r1000', fault: 'drop-reply'})
    live?.close()
    const lines = writes.join('').split('\n').filter(Boolean)
    expect(formatted).toHaveLength(51) // 50 routine lines and the fault; the rest never formatted
    expect(lines.filter((l) => l.startsWith('fault'))).toEqual(['fault r1000'])
    expect(lines.at(-1)).toBe('… 1950 more events not shown (request 975, reply 975); more than 50 lines a second are summarised')
  })

  it('stops listening when closed', () => {
    const {events, formatted} = setUp()
    live?.close()
    events.record({type: 'request', request: 'r1'})
    expect(formatted).toEqual([])
    expect(events.observed).toBe(false)
  })
})
