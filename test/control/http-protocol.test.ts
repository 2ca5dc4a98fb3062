import {request} from 'undici'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {startApi, type Api} from '../helpers/control.js'
import {Resources} from '../helpers/net.js'
import {startCountingServer} from '../helpers/servers.js'

describe('control API: proxies with protocol http (L7 toxics)', () => {
  const resources = new Resources()
  let api: Api
  let upstream: Awaited<ReturnType<typeof startCountingServer>>
  beforeEach(async () => {
    api = await startApi(resources)
    upstream = await startCountingServer()
    resources.add(upstream.close)
  })
  afterEach(() => resources.closeAll())

  async function createHttpProxy(): Promise<string> {
    const r = await api.call('POST', '/proxies', {name: 'web', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream.port}`, protocol: 'http'})
    expect(r.status).toBe(201)
    const proxy = r.json() as {listen: string; protocol: string}
    expect(proxy.protocol).toBe('http')
    return `http://${proxy.listen}`
  }

  const post = async (url: string) => {
    const r = await request(`${url}/orders`, {method: 'POST', body: '{}', headers: {'content-type': 'application/json'}})
    const body = await r.body.text()
    return {status: r.statusCode, body}
  }

  it('forwards HTTP through both layers with no toxics', async () => {
    const url = await createHttpProxy()
    expect((await post(url)).status).toBe(200)
    expect(upstream.state.hits).toBe(1)
  })

  it('a duplicate toxic with nth delivers only that request twice', async () => {
    const url = await createHttpProxy()
    const t = await api.call('POST', '/proxies/web/toxics', {type: 'duplicate', attributes: {nth: 2, mode: 0}})
    expect(t.status).toBe(200)
    expect(t.json()).toMatchObject({name: 'duplicate_downstream', type: 'duplicate', attributes: {nth: 2, mode: 0, delay: 0}, toxicity: 1})
    for (let i = 0; i < 3; i++) expect((await post(url)).status).toBe(200)
    // Sequential: the copy is sent after the reply, so wait for its own reply event.
    await new Promise<void>((resolve) => {
      const check = () => upstream.state.hits === 4 && resolve()
      api.events.on('event', check)
      check()
    })
    expect(upstream.state.hits).toBe(4)
  })

  it('a drop-request toxic with reset never reaches the server; removing it restores traffic', async () => {
    const url = await createHttpProxy()
    await api.call('POST', '/proxies/web/toxics', {name: 'drop', type: 'drop-request', attributes: {reset: 1}})
    await expect(post(url)).rejects.toThrow()
    expect(upstream.state.hits).toBe(0)
    expect((await api.call('DELETE', '/proxies/web/toxics/drop')).status).toBe(204)
    expect((await post(url)).status).toBe(200)
    expect(upstream.state.hits).toBe(1)
  })

  it('L4 toxics still apply to http proxies (latency before the L7 proxy)', async () => {
    const url = await createHttpProxy()
    await api.call('POST', '/proxies/web/toxics', {type: 'latency', attributes: {latency: 80}})
    const started = performance.now()
    expect((await post(url)).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(75)
  })

  it('rejects L7 toxic types on tcp proxies', async () => {
    await api.call('POST', '/proxies', {name: 'raw', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstream.port}`})
    const r = await api.call('POST', '/proxies/raw/toxics', {type: 'drop-reply'})
    expect(r.status).toBe(400)
    expect((r.json() as {error: string}).error).toBe('invalid toxic type')
  })
})
