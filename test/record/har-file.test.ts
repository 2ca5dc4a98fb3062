import {closeSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {harEntry, type RecordedExchange} from '../../src/record/har.js'
import {HarFile} from '../../src/record/har-file.js'
import {claimOutputFile} from '../../src/record/output-file.js'
import {Redaction} from '../../src/record/redaction.js'
import {testDir} from '../helpers/temp-dir.js'
import {harErrors, harValidator} from './har-validator.js'

function exchange(n: number): RecordedExchange {
  const t = Date.UTC(2026, 0, 1) + n
  return {
    startedAt: t,
    method: 'POST',
    url: `http://127.0.0.1:3000/items/${n}`,
    httpVersion: 'HTTP/1.1',
    requestHeaders: [{name: 'Content-Type', value: 'application/json'}],
    requestBody: Buffer.from(`{"n":${n}}`),
    sentAt: t + 1,
    headAt: t + 3,
    endAt: t + 4,
    reply: {status: 200, statusText: 'OK', headers: {'content-type': 'application/json'}, body: Buffer.from('{"ok":true}')},
  }
}

describe('HarFile', () => {
  it('is a complete, valid HAR on disk after every entry, before it is closed', async () => {
    const out = join(testDir('fl-har-'), 'a.har')
    const har = new HarFile(claimOutputFile(out, false), {name: 'faultline', version: 'test'})
    const validate = harValidator()
    await har.flushed()
    expect(harErrors(validate, JSON.parse(readFileSync(out, 'utf8')))).toBe('')
    for (let n = 1; n <= 3; n++) {
      har.add(harEntry(exchange(n), new Redaction()))
      await har.flushed()
      const doc = JSON.parse(readFileSync(out, 'utf8')) as {log: {entries: Array<{request: {url: string}}>}}
      expect(harErrors(validate, doc)).toBe('')
      expect(doc.log.entries.map((e) => e.request.url)).toEqual(Array.from({length: n}, (_, i) => `http://127.0.0.1:3000/items/${i + 1}`))
    }
    await har.close()
    expect(JSON.parse(readFileSync(out, 'utf8')).log.entries).toHaveLength(3)
  })

  it('times an entry from arrival to the end of the reply', () => {
    const entry = harEntry(exchange(0), new Redaction())
    expect(entry.timings).toEqual({send: 1, wait: 2, receive: 1})
    expect(entry.time).toBe(4)
    expect(entry.startedDateTime).toBe('2026-01-01T00:00:00.000Z')
  })

  it('the schema check rejects what is not HAR 1.2 (so a passing check means something)', () => {
    const validate = harValidator()
    const entry = harEntry(exchange(1), new Redaction()) as unknown as Record<string, unknown>
    const doc = (e: unknown) => ({log: {version: '1.2', creator: {name: 'faultline', version: 'test'}, entries: [e]}})
    expect(harErrors(validate, doc(entry))).toBe('')
    const {timings: _timings, ...withoutTimings} = entry
    expect(harErrors(validate, doc(withoutTimings))).toContain('timings')
    expect(harErrors(validate, doc({...entry, startedDateTime: 'yesterday'}))).not.toBe('')
  })

  it('refuses to replace an existing file unless forced', async () => {
    const out = join(testDir('fl-har-'), 'a.har')
    await new HarFile(claimOutputFile(out, false), {name: 'faultline', version: 'test'}).close()
    expect(() => claimOutputFile(out, false)).toThrow(/--out .*a\.har: the file exists; remove it, choose another name, or pass --force/)
    closeSync(claimOutputFile(out, true))
  })
})
