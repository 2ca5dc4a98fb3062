import net from 'node:net'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {startApi, type Api} from '../helpers/control.js'
import {collect, connect, echoServer, listen, nextData, Resources} from '../helpers/net.js'

const res = new Resources()
let api: Api
let upstream: string

beforeEach(async () => {
  api = await startApi(res)
  upstream = `127.0.0.1:${await listen(res.server(echoServer()))}`
})
afterEach(() => res.closeAll())

const err = (status: number, error: string) => `${JSON.stringify({error, status})}\n`

async function createProxy(name = 'db', extra: Record<string, unknown> = {}) {
  return api.call('POST', '/proxies', {name, listen: '127.0.0.1:0', upstream, ...extra})
}

describe('admin API: server', () => {
  it('GET /version', async () => {
    const r = await api.call('GET', '/version')
    expect(r.status).toBe(200)
    expect(r.json()).toEqual({version: 'test-1'})
  })

  it('sets X-Toxiproxy-Request-Id on matched routes', async () => {
    const a = await api.call('GET', '/proxies')
    const b = await api.call('GET', '/proxies')
    expect(a.headers.get('x-toxiproxy-request-id')).toMatch(/^[0-9a-f]{20}$/)
    expect(a.headers.get('x-toxiproxy-request-id')).not.toBe(b.headers.get('x-toxiproxy-request-id'))
  })

  it('refuses a browser user agent with 403', async () => {
    const r = await api.call('GET', '/proxies', undefined, {'User-Agent': 'Mozilla/5.0 (X11)'})
    expect(r.status).toBe(403)
    expect(r.text).toBe('User agent not allowed\n')
  })

  it('404 for an unknown path, 405 for a known path with a wrong method', async () => {
    expect((await api.call('GET', '/nope')).status).toBe(404)
    expect((await api.call('GET', '/proxies/a/b/c/d')).status).toBe(404)
    expect((await api.call('DELETE', '/proxies')).status).toBe(405)
    expect((await api.call('GET', '/reset')).status).toBe(405)
    expect((await api.call('PUT', '/proxies/x')).status).toBe(405)
    expect((await api.call('GET', '/populate')).status).toBe(405)
  })
})

describe('admin API: proxies', () => {
  it('creates (201) with defaults, normalises listen, lists, gets, deletes (204)', async () => {
    const r = await api.call('POST', '/proxies', {name: 'db', listen: 'localhost:0', upstream})
    expect(r.status).toBe(201)
    const proxy = r.json() as {listen: string}
    expect(proxy).toMatchObject({name: 'db', upstream, enabled: true, protocol: 'tcp', toxics: []})
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/)
    expect((await api.call('GET', '/proxies')).json()).toEqual({db: r.json()})
    expect((await api.call('GET', '/proxies/db')).json()).toEqual(r.json())
    const del = await api.call('DELETE', '/proxies/db')
    expect(del.status).toBe(204)
    expect(del.text).toBe('')
    expect((await api.call('GET', '/proxies')).json()).toEqual({})
  })

  it('the proxy forwards traffic to its upstream', async () => {
    const proxy = (await createProxy()).json() as {listen: string}
    const client = await connect(Number(proxy.listen.split(':')[1]), res)
    client.end('hi')
    expect((await collect(client)).data.toString()).toBe('hi')
  })

  it('a disabled proxy stores listen as given and binds nothing', async () => {
    const r = await api.call('POST', '/proxies', {
      name: 'off',
      listen: 'localhost:0',
      upstream,
      enabled: false,
    })
    expect(r.status).toBe(201)
    expect(r.json()).toMatchObject({listen: 'localhost:0', enabled: false})
  })

  it('400 on bad JSON, missing name (before upstream), missing upstream', async () => {
    const bad = await api.call('POST', '/proxies', '{nope')
    expect(bad.status).toBe(400)
    expect((bad.json() as {error: string}).error).toMatch(/^bad request body: /)
    expect(bad.text.endsWith('}\n')).toBe(true)
    expect((await api.call('POST', '/proxies', '')).text).toBe(err(400, 'bad request body: EOF'))
    expect((await api.call('POST', '/proxies', {})).text).toBe(err(400, 'missing required field: name'))
    expect((await api.call('POST', '/proxies', {name: 'x'})).text).toBe(
      err(400, 'missing required field: upstream'),
    )
  })

  it('409 on a duplicate name, checked before binding', async () => {
    const first = (await createProxy('dup')).json() as {listen: string}
    // same name AND same port: a bind attempt would fail with 500, so 409 proves the order
    const r = await api.call('POST', '/proxies', {name: 'dup', listen: first.listen, upstream})
    expect(r.status).toBe(409)
    expect(r.text).toBe(err(409, 'proxy already exists'))
  })

  it('500 with the system error when the listen port is taken', async () => {
    const taken = await listen(res.server(net.createServer()))
    const r = await api.call('POST', '/proxies', {name: 'b', listen: `127.0.0.1:${taken}`, upstream})
    expect(r.status).toBe(500)
    expect((r.json() as {error: string}).error).toMatch(/EADDRINUSE/)
    expect((await api.call('GET', '/proxies')).json()).toEqual({})
  })

  it('404 for an unknown proxy on every proxy route', async () => {
    const nf = err(404, 'proxy not found')
    expect((await api.call('GET', '/proxies/zz')).text).toBe(nf)
    expect((await api.call('POST', '/proxies/zz', {enabled: false})).text).toBe(nf)
    expect((await api.call('DELETE', '/proxies/zz')).text).toBe(nf)
    expect((await api.call('GET', '/proxies/zz/toxics')).text).toBe(nf)
    expect((await api.call('POST', '/proxies/zz/toxics', {type: 'latency'})).text).toBe(nf)
    expect((await api.call('GET', '/proxies/zz/toxics/t')).text).toBe(nf)
    expect((await api.call('DELETE', '/proxies/zz/toxics/t')).text).toBe(nf)
  })

  it('update: partial body, name ignored; enabled:false is down and closes live connections', async () => {
    const proxy = (await createProxy()).json() as {listen: string}
    const port = Number(proxy.listen.split(':')[1])
    const client = await connect(port, res)
    const closed = collect(client)
    client.write('x')
    await nextData(client)
    const down = await api.call('PATCH', '/proxies/db', {enabled: false, name: 'ignored'})
    expect(down.status).toBe(200)
    expect(down.json()).toMatchObject({name: 'db', enabled: false, listen: proxy.listen})
    await closed
    const up = await api.call('POST', '/proxies/db', {enabled: true})
    expect(up.json()).toMatchObject({enabled: true, listen: proxy.listen})
    const again = await connect(port, res)
    again.end('back')
    expect((await collect(again)).data.toString()).toBe('back')
  })

  it('update with a new listen restarts the proxy on it', async () => {
    await createProxy()
    const r = await api.call('POST', '/proxies/db', {listen: '127.0.0.1:0'})
    expect(r.status).toBe(200)
    const moved = r.json() as {listen: string; enabled: boolean}
    expect(moved.enabled).toBe(true)
    const client = await connect(Number(moved.listen.split(':')[1]), res)
    client.end('moved')
    expect((await collect(client)).data.toString()).toBe('moved')
  })

  it('POST /reset re-enables every proxy and removes every toxic (204)', async () => {
    await createProxy('a')
    await api.call('POST', '/proxies', {name: 'b', listen: '127.0.0.1:0', upstream, enabled: false})
    await api.call('POST', '/proxies/a/toxics', {type: 'latency', attributes: {latency: 10}})
    const r = await api.call('POST', '/reset')
    expect(r.status).toBe(204)
    const all = (await api.call('GET', '/proxies')).json() as Record<
      string,
      {enabled: boolean; toxics: unknown[]; listen: string}
    >
    expect(all.a?.toxics).toEqual([])
    expect(all.b?.enabled).toBe(true)
    expect(all.b?.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/)
  })
})

describe('admin API: populate', () => {
  it('201 with the proxies in input order; identical kept with toxics, changed replaced', async () => {
    const first = await api.call('POST', '/populate', [
      {name: 'b', listen: '127.0.0.1:0', upstream},
      {name: 'a', listen: '127.0.0.1:0', upstream},
    ])
    expect(first.status).toBe(201)
    const proxies = (first.json() as {proxies: Array<{name: string; listen: string}>}).proxies
    expect(proxies.map((p) => p.name)).toEqual(['b', 'a'])
    await api.call('POST', '/proxies/b/toxics', {type: 'noop'})
    await api.call('POST', '/proxies/a/toxics', {type: 'noop'})
    const second = await api.call('POST', '/populate', [
      {name: 'b', listen: proxies[0]?.listen, upstream}, // identical: kept
      {name: 'a', listen: '127.0.0.1:0', upstream: '127.0.0.1:1'}, // changed: replaced
    ])
    expect(second.status).toBe(201)
    const after = (second.json() as {proxies: Array<{name: string; toxics: unknown[]; upstream: string}>})
      .proxies
    expect(after[0]?.toxics).toHaveLength(1)
    expect(after[1]).toMatchObject({upstream: '127.0.0.1:1', toxics: []})
  })

  it('validates every entry first: any failure is 400 and nothing is created', async () => {
    const r = await api.call('POST', '/populate', [
      {name: 'ok', listen: '127.0.0.1:0', upstream},
      {name: 'bad'},
    ])
    expect(r.status).toBe(400)
    expect(r.text).toBe(err(400, 'missing required field: upstream at proxy 2'))
    expect((await api.call('GET', '/proxies')).json()).toEqual({})
    expect((await api.call('POST', '/populate', {name: 'x'})).status).toBe(400)
  })
})

describe('admin API: toxics', () => {
  beforeEach(async () => {
    await createProxy()
  })

  it('creates with defaults (200, downstream, toxicity 1, name <type>_<stream>, missing attributes 0)', async () => {
    const r = await api.call('POST', '/proxies/db/toxics', {type: 'latency', attributes: {latency: 100}})
    expect(r.status).toBe(200)
    expect(r.json()).toEqual({
      attributes: {latency: 100, jitter: 0},
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
    })
    const noop = await api.call('POST', '/proxies/db/toxics', {type: 'noop', stream: 'upstream'})
    expect(noop.json()).toMatchObject({name: 'noop_upstream', attributes: {}})
  })

  it('400 invalid stream, 400 invalid type, 409 duplicate name across streams, 400 bad body', async () => {
    expect((await api.call('POST', '/proxies/db/toxics', {type: 'latency', stream: 'sideways'})).text).toBe(
      err(400, 'stream was invalid, can be either upstream or downstream'),
    )
    expect((await api.call('POST', '/proxies/db/toxics', {type: 'explode'})).text).toBe(
      err(400, 'invalid toxic type'),
    )
    expect((await api.call('POST', '/proxies/db/toxics', {stream: 'upstream'})).text).toBe(
      err(400, 'invalid toxic type'),
    )
    await api.call('POST', '/proxies/db/toxics', {type: 'latency', name: 'slow', stream: 'upstream'})
    expect((await api.call('POST', '/proxies/db/toxics', {type: 'bandwidth', name: 'slow'})).text).toBe(
      err(409, 'toxic already exists'),
    )
    expect((await api.call('POST', '/proxies/db/toxics', '[')).status).toBe(400)
    const wrong = await api.call('POST', '/proxies/db/toxics', {
      type: 'latency',
      name: 'l2',
      attributes: {latency: 'x'},
    })
    expect(wrong.status).toBe(400)
    expect((wrong.json() as {error: string}).error).toMatch(/^bad request body: /)
  })

  it('lists upstream toxics first, then downstream, each in insertion order', async () => {
    for (const [name, stream] of [
      ['d1', 'downstream'],
      ['u1', 'upstream'],
      ['d2', 'downstream'],
      ['u2', 'upstream'],
    ])
      await api.call('POST', '/proxies/db/toxics', {type: 'noop', name, stream})
    const list = (await api.call('GET', '/proxies/db/toxics')).json() as Array<{name: string}>
    expect(list.map((t) => t.name)).toEqual(['u1', 'u2', 'd1', 'd2'])
    const proxy = (await api.call('GET', '/proxies/db')).json() as {toxics: Array<{name: string}>}
    expect(proxy.toxics.map((t) => t.name)).toEqual(['u1', 'u2', 'd1', 'd2'])
  })

  it('get, update (attributes merged, toxicity changed, nothing else), delete (204), 404 toxic not found', async () => {
    await api.call('POST', '/proxies/db/toxics', {
      type: 'latency',
      name: 'l',
      attributes: {latency: 100, jitter: 5},
    })
    expect((await api.call('GET', '/proxies/db/toxics/l')).json()).toMatchObject({
      name: 'l',
      attributes: {latency: 100},
    })
    const up = await api.call('POST', '/proxies/db/toxics/l', {
      attributes: {jitter: 7},
      toxicity: 0.5,
      stream: 'upstream',
      type: 'noop',
      name: 'renamed',
    })
    expect(up.status).toBe(200)
    expect(up.json()).toEqual({
      attributes: {latency: 100, jitter: 7},
      name: 'l',
      type: 'latency',
      stream: 'downstream',
      toxicity: 0.5,
    })
    const patch = await api.call('PATCH', '/proxies/db/toxics/l', {attributes: {latency: 1}})
    expect(patch.json()).toMatchObject({attributes: {latency: 1, jitter: 7}, toxicity: 0.5})
    expect((await api.call('DELETE', '/proxies/db/toxics/l')).status).toBe(204)
    const nf = err(404, 'toxic not found')
    expect((await api.call('GET', '/proxies/db/toxics/l')).text).toBe(nf)
    expect((await api.call('POST', '/proxies/db/toxics/l', {toxicity: 1})).text).toBe(nf)
    expect((await api.call('DELETE', '/proxies/db/toxics/l')).text).toBe(nf)
  })

  it('a toxic added through the API applies to a live connection', async () => {
    const proxy = (await api.call('GET', '/proxies/db')).json() as {listen: string}
    const client = await connect(Number(proxy.listen.split(':')[1]), res)
    client.write('a')
    await nextData(client)
    await api.call('POST', '/proxies/db/toxics', {type: 'latency', attributes: {latency: 120}})
    const t0 = performance.now()
    client.write('b')
    expect((await nextData(client)).toString()).toBe('b')
    expect(performance.now() - t0).toBeGreaterThanOrEqual(119)
  })

  it('400 for an unknown protocol', async () => {
    const r = await api.call('POST', '/proxies', {name: 'h', upstream, protocol: 'carrier-pigeon'})
    expect(r.status).toBe(400)
    expect((r.json() as {error: string}).error).toMatch(/^invalid protocol: carrier-pigeon/)
  })
})
