import {Pool} from 'undici'
import {afterEach, describe, expect, it} from 'vitest'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {HttpFaultProxy} from '../../src/proxy/http/http-fault-proxy.js'
import {RuleSet} from '../../src/proxy/rule-set.js'
import {TrialOwner} from '../../src/proxy/trial-owner.js'
import {startCountingServer} from '../helpers/servers.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

/** A listener of one trial's own, in front of a counting server, for a client that sends no markers. */
async function setup() {
  const upstream = await startCountingServer()
  cleanups.push(upstream.close)
  const events = new EventLog()
  const seen: ProxyEvent[] = []
  events.on('event', (e) => seen.push(e))
  const rules = new RuleSet(1)
  // The check runner's own rule shape: this trial, attempt 2.
  rules.add({id: 't0.1#0', match: {trial: 't0.1', attempt: 2}, scope: 'trial', limit: 1, action: {type: 'status', status: 503, phase: 'request'}})
  const owner = new TrialOwner('t0.1', {method: 'POST', path: '/orders/*'})
  const proxy = new HttpFaultProxy({upstream: upstream.url, events, rules, owner})
  await proxy.start()
  cleanups.push(() => proxy.close())
  const client = new Pool(proxy.url)
  cleanups.push(() => client.destroy())
  const send = (method: string, path: string) => client.request({method, path, body: method === 'GET' ? null : 'x'}).then(async (r) => (await r.body.text(), r.statusCode))
  return {seen, send, upstream}
}

describe('TrialOwner: one trial\'s listener for a client without markers', () => {
  it('gives every request the trial, numbers only matching requests as attempts, and faults hit the planned attempt', async () => {
    const {seen, send, upstream} = await setup()
    expect(await send('GET', '/orders/1')).toBe(200) // not the endpoint's: passes, no attempt number
    expect(await send('POST', '/orders/1')).toBe(200) // attempt 1
    expect(await send('POST', '/orders/1')).toBe(503) // attempt 2: the planned fault
    expect(await send('POST', '/orders/1')).toBe(200) // attempt 3
    const requests = seen.filter((e) => e.type === 'request')
    expect(requests.map((e) => [e.trial, e.method, e.attempt])).toEqual([
      ['t0.1', 'GET', undefined],
      ['t0.1', 'POST', 1],
      ['t0.1', 'POST', 2],
      ['t0.1', 'POST', 3],
    ])
    expect(seen.find((e) => e.type === 'fault')).toMatchObject({trial: 't0.1', attempt: 2})
    expect(upstream.state.hits).toBe(3)
  })
})
