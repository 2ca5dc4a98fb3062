import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {EventLog} from '../../src/events/event-log.js'
import {EventsFileWriter} from '../../src/report/event-file-writer.js'

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, {recursive: true, force: true})
  dir = undefined
})

describe('EventsFileWriter', () => {
  it('writes every event in order as one JSON line, those recorded just before close included', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'faultline-events-'))
    const file = path.join(dir, 'events.jsonl')
    const events = new EventLog()
    const writer = new EventsFileWriter(events, file)
    for (let i = 1; i <= 500; i++) events.record({type: 'request', request: `r${i}`})
    await new Promise<void>((resolve) => setImmediate(resolve))
    for (let i = 501; i <= 1000; i++) events.record({type: 'request', request: `r${i}`})
    await writer.close() // the second batch is still pending here
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
    expect(lines.map((l) => (JSON.parse(l) as {request: string}).request)).toEqual(Array.from({length: 1000}, (_, i) => `r${i + 1}`))
    expect(events.observed).toBe(false)
  })
})
