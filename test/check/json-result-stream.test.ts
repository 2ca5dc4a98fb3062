import {Writable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import type {CheckResult} from '../../src/check/check-result.js'
import {toJsonResult} from '../../src/check/json-result.js'
import {jsonResultChunks} from '../../src/report/json-result-stream.js'
import {runCheck} from '../../src/check/run-check.js'
import {writeChunks} from '../../src/report/write-chunks.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {breachOf, crashTimeline, dropReplyTimeline, endpoint, result, trial} from '../report/html-fixtures.js'

/** The text `--json` printed before it was streamed: the whole document in one piece. */
function whole(r: CheckResult): string {
  return `${JSON.stringify(toJsonResult(r), null, 2)}\n`
}

function streamed(r: CheckResult): string {
  return [...jsonResultChunks(r)].join('')
}

/** A result with every kind of value the document holds: undefined fields, empty and nested ones, unicode, an empty endpoint. */
function edgeCases(): CheckResult {
  const breach = {...trial(3, dropReplyTimeline('/naïve/ключ/🔑', '{"msg":"é\\n\\"q\\"\\u2028"}')), error: undefined, replay: 'faultline check "s p.yaml" --trial 3'}
  const crashed = {...trial(2, crashTimeline(), 'crash-after-reply'), gaveUp: 'exit code 1', stoppedEarly: true}
  const recorded = {...trial(5, dropReplyTimeline('/rec')), recordedReply: {status: 200, body: {value: [1, {deep: [null, 'ü']}]}}}
  const full = endpoint({
    name: 'zählen ✓',
    met: false,
    unmetReason: 'at-most-once is broken: "executed 2 times"\ttab',
    contracts: {atLeastOnce: 'holds', atMostOnce: 'broken', exactlyOnce: 'broken', idempotent: 'unknown', replyConsistent: 'unknown'},
    breaches: {atMostOnce: breachOf(breach)},
    minimal: {atMostOnce: {fault: 'drop-reply on attempt 1', trial: '3c1', simpler: true, reason: 'executed 2 times', reruns: 1, ms: 140.6, replay: 'r', timeline: dropReplyTimeline('/simpler')}},
    shrink: {reruns: 1, ms: 140.4},
    evidence: {atLeastOnce: [1, 2, 3], atMostOnce: [3], exactlyOnce: [], idempotent: [5], replyConsistent: []},
    inconclusive: {
      atLeastOnce: [],
      atMostOnce: [{trial: 2, reason: 'the crash erased the first execution'}],
      exactlyOnce: [{trial: 2, reason: 'the crash erased the first execution'}],
      idempotent: [{trial: 5, reason: 'no duplicate arrived'}],
      replyConsistent: [],
    },
    variants: {atLeastOnce: {'drop-reply': 2}, atMostOnce: {}, exactlyOnce: {}, idempotent: {}, replyConsistent: {}},
    baselineNote: 'baseline took 2 tries',
    notInjected: [4],
    errors: [{trial: 4, error: 'ECONNRESET'}],
    trials: [trial(1, dropReplyTimeline('/one')), crashed, breach, recorded],
  })
  const empty = endpoint({name: 'no trials', trials: [], aborted: 'the server died', oracle: 'none'})
  return {
    ...result([full, empty]),
    serverLog: '/tmp/run/server.log',
    restarts: [201.4, 180.6],
    aborted: {code: 'FL_SERVER_DIED', message: 'server exited (code 1) — «stopped»', exitCode: 3},
    shard: {index: 1, total: 2, plan: 'p'} as unknown as CheckResult['shard'],
  }
}

describe('the --json document written trial by trial', () => {
  it('is byte for byte the document as one JSON.stringify, for results with every kind of field', () => {
    const r = edgeCases()
    expect(streamed(r)).toBe(whole(r))
    // The edge cases are in the text: unicode, nested evidence, an example timeline, an empty trials array.
    expect(streamed(r)).toMatch(/"name": "zählen ✓"/)
    expect(streamed(r)).toMatch(/"trials": \[\]\n {4}\}\n {2}\]\n\}\n$/)
    expect(toJsonResult(r).endpoints[0]?.trials.filter((t) => 'timeline' in t).map((t) => t.id)).toEqual([2, 5])

    const bare: CheckResult = {seed: 0, ok: true, scenario: 's.yaml', durationMs: 0.4, restarts: [], endpoints: []}
    expect(streamed(bare)).toBe(whole(bare))
    expect(streamed(bare)).toMatch(/"endpoints": \[\]\n\}\n$/)
  })

  it('is byte for byte the document of a real check run on the demo', {timeout: 120_000}, async () => {
    const scenario = await loadScenario('fixtures/demo.yaml')
    scenario.endpoints = scenario.endpoints.filter((e) => ['naive-increment', 'dedup-increment', 'put-value'].includes(e.name))
    for (const e of scenario.endpoints) e.trials = 4
    // A client timeout a loaded machine does not reach by itself.
    scenario.client.timeout = 1000
    const r = await runCheck({scenario, scenarioArg: 'fixtures/demo.yaml', seed: 7})
    expect(r.endpoints.every((e) => e.trials.length >= 4)).toBe(true)
    expect(r.endpoints.some((e) => Object.keys(e.breaches).length > 0)).toBe(true)
    const sink = new Collector()
    await writeChunks(sink, jsonResultChunks(r))
    expect(sink.text()).toBe(whole(r))
  })
})

/** A Writable that keeps what it is given; with `hold`, each write stays in flight until `release()`. */
class Collector extends Writable {
  readonly chunks: Buffer[] = []
  private held: Array<() => void> = []
  constructor(private readonly hold = false) {
    super({highWaterMark: 1})
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error) => void): void {
    this.chunks.push(chunk)
    if (this.hold) this.held.push(() => done())
    else done()
  }
  get inFlight(): number {
    return this.held.length
  }
  release(): void {
    this.held.shift()?.()
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8')
  }
}

describe('writeChunks', () => {
  it('waits for drain whenever the stream is full: one chunk in flight at a time, every byte in order', async () => {
    const stream = new Collector(true)
    const pieces = Array.from({length: 50}, (_, i) => `piece ${i} ✓;`)
    let taken = 0
    const source = (function* () {
      for (const piece of pieces) {
        taken++
        yield piece
      }
    })()
    let finished = false
    const writing = writeChunks(stream, source).then(() => (finished = true))
    const seen: Array<{taken: number; written: number}> = []
    while (!finished) {
      // Let the writer run as far as it will before the stream takes the next chunk.
      await new Promise((resolve) => setImmediate(resolve))
      seen.push({taken, written: stream.chunks.length})
      expect(stream.inFlight).toBeLessThanOrEqual(1)
      stream.release()
    }
    await writing
    expect(stream.text()).toBe(pieces.join(''))
    // Backpressure: the writer never took a chunk from the source while the stream was full.
    for (const s of seen) expect(s.taken - s.written).toBeLessThanOrEqual(0)
    expect(seen.length).toBeGreaterThanOrEqual(pieces.length)
  })

  it('rejects with the stream error and takes no more chunks once the reader is gone', async () => {
    const epipe = Object.assign(new Error('write EPIPE'), {code: 'EPIPE'})
    let writes = 0
    const stream = new Writable({
      write(_chunk, _encoding, done) {
        writes++
        done(writes === 3 ? epipe : undefined)
      },
    })
    let taken = 0
    const source = (function* () {
      for (;;) {
        taken++
        yield 'x'.repeat(10)
      }
    })()
    await expect(writeChunks(stream, source)).rejects.toMatchObject({code: 'EPIPE'})
    expect(taken).toBe(3)
    // The failure's 'error' event, a tick later, finds the writer's listener: no uncaught exception.
    await new Promise((resolve) => setImmediate(resolve))
    expect(stream.listenerCount('error')).toBeGreaterThan(0)
  })
})
