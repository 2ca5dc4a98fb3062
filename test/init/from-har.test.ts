import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {ScenarioError} from '../../src/errors.js'
import {draftFromExchanges, draftFromHar} from '../../src/init/from-har.js'
import {parseHar} from '../../src/init/har.js'
import {writeAndLoad} from '../helpers/init-scenario.js'
import {testDir} from '../helpers/temp-dir.js'
import {harErrors, harValidator} from '../record/har-validator.js'
import type {RequestTemplate} from '../../src/scenario/types.js'

/** A HAR entry as a recorder writes one. */
function entry(method: string, url: string, reply: unknown, options: {status?: number; body?: unknown; headers?: Record<string, string>} = {}) {
  const text = options.body === undefined ? undefined : JSON.stringify(options.body)
  return {
    startedDateTime: '2026-11-30T09:00:00.000Z',
    time: 3.2,
    request: {
      method,
      url,
      httpVersion: 'HTTP/1.1',
      headers: [{name: 'Host', value: new URL(url).host}, {name: 'User-Agent', value: 'curl/8.5'}, ...Object.entries(options.headers ?? {}).map(([name, value]) => ({name, value}))],
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: text?.length ?? 0,
      ...(text !== undefined ? {postData: {mimeType: 'application/json', text}} : {}),
    },
    response: {status: options.status ?? 200, statusText: '', httpVersion: 'HTTP/1.1', headers: [], cookies: [], content: {size: -1, mimeType: 'application/json', text: JSON.stringify(reply)}, redirectURL: '', headersSize: -1, bodySize: -1},
    cache: {},
    timings: {send: 0, wait: 3, receive: 0},
  }
}

function har(entries: unknown[]): string {
  return JSON.stringify({log: {version: '1.2', creator: {name: 'test', version: '1'}, entries}})
}

function failure(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError)
    return (error as Error).message
  }
  throw new Error('no error')
}

describe('init --from a HAR recording', () => {
  it('turns the bundled demo recording into a scenario that loads, one endpoint per write route', async () => {
    // The bundled file is what `faultline record` wrote: valid HAR 1.2, with every header the client (fetch) sent.
    const recording = JSON.parse(readFileSync('fixtures/har/demo.har', 'utf8')) as {log: {creator: {name: string}}}
    expect(harErrors(harValidator(), recording)).toBe('')
    expect(recording.log.creator.name).toBe('faultline')
    const draft = await draftFromHar('fixtures/har/demo.har', {upstream: 'http://127.0.0.1:4100'})
    const {scenario, text} = await writeAndLoad(testDir('fl-init-'), draft)
    expect(scenario.target.url).toBe('http://127.0.0.1:4100')
    expect(scenario.endpoints.map((e) => [e.name, (e.request as RequestTemplate).path, e.effect?.select, e.expect])).toEqual([
      ['post-naive-counters-increment', '/naive/counters/{{key}}/increment', '$.value', ['at-most-once']],
      ['post-dedup-counters-increment', '/dedup/counters/{{key}}/increment', '$.value', ['at-most-once']],
      ['put-put-kv', '/put/kv/{{key}}', '$.value', ['idempotent']],
    ])
    const naive = scenario.endpoints[0]
    expect(naive?.request).toMatchObject({headers: {'Idempotency-Key': '{{requestId}}'}, body: {by: 1}})
    // The headers fetch set itself (accept-language, sec-fetch-mode, accept-encoding, connection, …) are not the request's.
    expect((naive?.request as RequestTemplate).headers).toEqual({'Idempotency-Key': '{{requestId}}'})
    expect(naive?.recordedReply).toEqual({status: 200, body: {key: '{{key}}', value: 1}})
    expect(scenario.endpoints[2]?.request).toMatchObject({body: {value: 'v-{{key}}'}})
    // What was guessed is said in the file.
    expect(text).toMatch(/expect: at-most-once # guessed from POST .*confirm/)
    expect(text).toContain('count: $.value changed by 1 with each of 2 writes in the recording')
    expect(text).toContain('state: $.value holds what the write sent')
    expect(text).toContain('Reads not used as probes (a read changes nothing to count): GET /health.')
  })

  it('templates request ids and uuids in bodies, marks timestamps volatile, and says when no probe was seen', async () => {
    const base = 'http://127.0.0.1:3000'
    const ids = ['0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9']
    const text = har(
      ids.map((id, i) =>
        entry('POST', `${base}/orders`, {id: `ord_${i}a9f3c`, createdAt: `2026-11-30T09:00:0${i}Z`, status: 'open'}, {status: 201, body: {requestId: id, clientRef: ids[1 - i], note: 'x'}}),
      ),
    )
    const draft = draftFromExchanges('orders.har', parseHar('orders.har', text))
    const {scenario, text: yaml} = await writeAndLoad(testDir('fl-init-'), draft)
    const e = scenario.endpoints[0]
    expect(e?.request).toMatchObject({method: 'POST', path: '/orders', body: {requestId: '{{requestId}}', clientRef: '{{uuid}}', note: 'x'}})
    expect(e?.effect).toBeUndefined()
    expect(e?.volatileReplyFields).toEqual(['$.createdAt'])
    expect(e?.recordedReply).toEqual({status: 201, body: {id: 'ord_0a9f3c', createdAt: '2026-11-30T09:00:00Z', status: 'open'}})
    expect(yaml).toContain('no effect probe, so the reply oracle')
  })

  it('groups JSON-RPC calls by method and probes with a read method on the same key', async () => {
    const base = 'http://127.0.0.1:3001/rpc'
    const call = (method: string, params: unknown, result: unknown, id: number) => entry('POST', base, {jsonrpc: '2.0', id, result}, {body: {jsonrpc: '2.0', id, method, params}})
    const text = har([
      call('get', {key: 'acct7f3a21'}, {key: 'acct7f3a21', value: 0}, 1),
      call('increment', {key: 'acct7f3a21', by: 1, requestId: 'r-81c2aa'}, {key: 'acct7f3a21', value: 1}, 2),
      call('get', {key: 'acct7f3a21'}, {key: 'acct7f3a21', value: 1}, 3),
    ])
    const {scenario} = await writeAndLoad(testDir('fl-init-'), draftFromExchanges('rpc.har', parseHar('rpc.har', text)))
    expect(scenario.target).toMatchObject({protocol: 'jsonrpc', url: 'http://127.0.0.1:3001/rpc', jsonrpc: {requestId: {param: '$.requestId'}}})
    expect(scenario.endpoints).toHaveLength(1)
    expect(scenario.endpoints[0]?.request).toMatchObject({calls: [{method: 'increment', params: {key: '{{key}}', by: 1, requestId: '{{requestId}}'}}]})
    expect(scenario.endpoints[0]?.effect).toMatchObject({request: {calls: [{method: 'get', params: {key: '{{key}}'}}]}, select: '$.value'})
  })

  it('keeps a path with a malformed escape as recorded instead of failing', () => {
    const [exchange] = parseHar('t.har', har([entry('PUT', 'http://127.0.0.1:3000/files/%E0%A4%A/8f3a21c4', {ok: true}, {body: {a: 1}})]))
    expect(exchange?.path).toBe('/files/%E0%A4%A/8f3a21c4')
  })

  it('refuses what is not a HAR recording with one line naming the file and what to give', () => {
    expect(failure(() => parseHar('t.har', '{"log": '))).toMatch(/^t\.har:1:\d+: not a HAR file: it is not JSON .*give a HAR 1\.2 recording/)
    expect(failure(() => parseHar('t.har', '{"entries": []}'))).toBe('t.har:1:1: not a HAR file: there is no log.entries list; give a HAR 1.2 recording such as `faultline record` or a browser writes')
    expect(failure(() => parseHar('t.har', har([])))).toMatch(/log\.entries is empty/)
    const unanswered = har([entry('POST', 'http://127.0.0.1:3000/orders', undefined, {status: 0, body: {n: 1}})])
    expect(failure(() => parseHar('t.har', unanswered))).toBe('t.har:1:1: no request in log.entries got a reply (response.status is 0 in every entry); record traffic while the server answers')
    const noUrl = har([{request: {method: 'GET'}, response: {status: 200}}])
    expect(failure(() => parseHar('t.har', noUrl))).toMatch(/^t\.har:1:\d+: log\.entries\[0\]\.request\.url: missing; write the absolute URL/)
    for (const message of [failure(() => parseHar('t.har', '{"log": ')), failure(() => parseHar('t.har', noUrl))]) expect(message).not.toContain('\n')
  })
})
