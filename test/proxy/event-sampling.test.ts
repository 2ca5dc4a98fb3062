import {Pool} from 'undici'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {
  EventLog,
  type EventSampler,
  type ProxyEvent,
  type ProxyEventType,
} from '../../src/events/event-log.js'
import {HttpFaultProxy} from '../../src/proxy/http/http-fault-proxy.js'
import {RuleSet} from '../../src/proxy/rule-set.js'
import {LiveLog} from '../../src/report/live-log.js'
import {startCountingServer} from '../helpers/servers.js'

// `faultline proxy` prints its live log through an EventSampler: past the rate a person can
// read, routine events are only counted. The proxy then must not build them at all (the
// live log was a third of the CLI's cost per request), yet count every one, and still build
// what is always printed (faults) and whatever an 'event' listener (an --events file) takes.

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function setup(events: EventLog, rules = new RuleSet(1)) {
  const upstream = await startCountingServer()
  cleanups.push(upstream.close)
  const proxy = new HttpFaultProxy({upstream: upstream.url, events, rules})
  await proxy.start()
  cleanups.push(() => proxy.close())
  const client = new Pool(proxy.url)
  cleanups.push(() => client.destroy())
  const post = (path: string) =>
    client.request({method: 'POST', path, body: 'hello'}).then((r) => r.body.text().then(() => r.statusCode))
  return {post, upstream}
}

const ROUTINE: ProxyEventType[] = ['request', 'delivery', 'reply', 'reply-end']

describe('event sampling on the HTTP proxy', () => {
  it('a live log past its limit: routine events are counted, never built; a fault is built and printed', async () => {
    const events = new EventLog()
    const built = vi.spyOn(events, 'record')
    const writes: string[] = []
    const formatted: ProxyEvent[] = []
    const live = new LiveLog(events, {
      write: (t) => writes.push(t),
      format: (e) => (formatted.push(e), `${e.type} ${e.fault ?? ''}`),
      linesPerSecond: 0,
    })
    cleanups.push(async () => live.close())
    const rules = new RuleSet(1)
    rules.add({id: 'r', match: {path: '/fail'}, action: {type: 'status', status: 503, phase: 'request'}})
    const {post, upstream} = await setup(events, rules)
    for (let i = 0; i < 5; i++) expect(await post('/ok')).toBe(200)
    expect(await post('/fail')).toBe(503)
    expect(upstream.state.hits).toBe(5)
    const types = built.mock.calls.map(([input]) => input.type)
    for (const type of ROUTINE) expect(types, type).not.toContain(type)
    expect(types).toContain('fault')
    live.close()
    expect(formatted.map((e) => e.type)).toEqual(['listen', 'fault']) // both always printed
    const summary =
      writes
        .join('')
        .split('\n')
        .find((l) => l.includes('not shown')) ?? ''
    expect(summary).toMatch(/\brequest 6\b/)
    expect(summary).toMatch(/\bdelivery 5\b/)
    expect(summary).toMatch(/\breply 5\b/)
    expect(summary).toMatch(/\breply-end 5\b/)
  })

  it('an event listener beside the sampler gets every event in full; the sampler still counts each once', async () => {
    const events = new EventLog()
    const seen: ProxyEvent[] = []
    events.on('event', (e) => seen.push(e))
    const skipped = new Map<ProxyEventType, number>()
    const nothing: EventSampler = {
      wants: () => false,
      take: () => expect.unreachable('wants nothing'),
      skip: (t) => skipped.set(t, (skipped.get(t) ?? 0) + 1),
    }
    events.addSampler(nothing)
    const {post} = await setup(events)
    for (let i = 0; i < 3; i++) expect(await post('/ok')).toBe(200)
    for (const type of ROUTINE) {
      expect(
        seen.filter((e) => e.type === type),
        type,
      ).toHaveLength(3)
      expect(skipped.get(type), type).toBe(3)
    }
  })

  it('admit: false without listeners, true for what a sampler wants, and a skip is counted once', () => {
    const events = new EventLog()
    expect(events.admit('request')).toBe(false)
    const skipped: ProxyEventType[] = []
    const taken: ProxyEvent[] = []
    events.addSampler({wants: (t) => t === 'fault', take: (e) => taken.push(e), skip: (t) => skipped.push(t)})
    expect(events.admit('request')).toBe(false)
    expect(events.admit('fault')).toBe(true)
    events.record({type: 'fault', fault: 'drop-reply'})
    events.record({type: 'reply'}) // an emitter that does not ask: still counted, once
    expect(skipped).toEqual(['request', 'reply'])
    expect(taken.map((e) => e.type)).toEqual(['fault'])
  })
})
