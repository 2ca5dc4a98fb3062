import {Toxiproxy, type Toxic} from 'toxiproxy-node-client'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {RemoteToxiproxy} from '../../src/control/remote-toxiproxy.js'
import {EnvironmentError} from '../../src/errors.js'
import {startApi, type Api} from '../helpers/control.js'
import {collect, connect, echoServer, listen, Resources} from '../helpers/net.js'

const res = new Resources()
let api: Api
let upstream: string

beforeEach(async () => {
  api = await startApi(res)
  upstream = `127.0.0.1:${await listen(res.server(echoServer()))}`
})
afterEach(() => res.closeAll())

describe('toxiproxy-node-client 4.1.0 against the faultline control server', () => {
  it('Toxiproxy: getVersion, createProxy, get, getAll, populate, reset', async () => {
    const client = new Toxiproxy(api.base)
    expect(JSON.parse(await client.getVersion())).toEqual({version: 'test-1'})
    const created = await client.createProxy({name: 'one', listen: '127.0.0.1:0', upstream})
    expect(created.name).toBe('one')
    expect(created.enabled).toBe(true)
    expect(created.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/)
    expect((await client.get('one')).listen).toBe(created.listen)
    const populated = await client.populate([
      {name: 'one', listen: created.listen, upstream},
      {name: 'two', listen: '127.0.0.1:0', upstream},
    ])
    expect(Object.keys(populated)).toEqual(['one', 'two'])
    expect(Object.keys(await client.getAll()).sort()).toEqual(['one', 'two'])
    await created.update({enabled: false, listen: created.listen, upstream})
    await client.reset()
    expect((await client.get('one')).enabled).toBe(true)
    await expect(client.get('missing')).rejects.toThrow('Request failed with status code 404')
  })

  it('Proxy: update, addToxic, getToxic, remove; Toxic: update, remove', async () => {
    const client = new Toxiproxy(api.base)
    const proxy = await client.createProxy({name: 'p', listen: '127.0.0.1:0', upstream})
    const down = await proxy.update({enabled: false, listen: proxy.listen, upstream})
    expect(down.enabled).toBe(false)
    const up = await proxy.update({enabled: true, listen: proxy.listen, upstream})
    expect(up.enabled).toBe(true)
    const toxic = await proxy.addToxic<{latency: number; jitter: number}>({
      name: 'lag',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: {latency: 50, jitter: 0},
    })
    expect(toxic.toJson()).toEqual({
      name: 'lag',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: {latency: 50, jitter: 0},
    })
    const fetched = await proxy.getToxic<{latency: number; jitter: number}>('lag')
    expect(fetched.attributes.latency).toBe(50)
    const updated: Toxic<{latency: number; jitter: number}> = await fetched.update({
      ...fetched.toJson(),
      attributes: {latency: 70, jitter: 1},
    })
    expect(updated.attributes).toEqual({latency: 70, jitter: 1})
    await updated.remove()
    await expect(proxy.getToxic('lag')).rejects.toThrow('Request failed with status code 404')
    await proxy.remove()
    expect(await client.getAll()).toEqual({})
  })
})

describe('RemoteToxiproxy driver', () => {
  it('creates, populates, adds/updates/removes toxics and resets on a remote server', async () => {
    const remote = new RemoteToxiproxy(`${api.base}/`)
    expect(await remote.version()).toContain('test-1')
    const proxy = await remote.createProxy({name: 'r', listen: '127.0.0.1:0', upstream})
    const [again, extra] = await remote.populate([
      {name: 'r', listen: proxy.listen, upstream},
      {name: 's', listen: '127.0.0.1:0', upstream},
    ])
    expect(again?.listen).toBe(proxy.listen)
    expect(extra?.name).toBe('s')
    expect((await remote.listProxies()).map((p) => p.name).sort()).toEqual(['r', 's'])
    const toxic = await remote.addToxic('r', {type: 'limit_data', attributes: {bytes: 3}})
    expect(toxic).toMatchObject({name: 'limit_data_downstream', stream: 'downstream', attributes: {bytes: 3}})
    const client = await connect(Number(proxy.listen.split(':')[1]), res)
    client.write('abcdef')
    expect((await collect(client)).data.toString()).toBe('abc')
    expect(
      await remote.updateToxic('r', 'limit_data_downstream', {attributes: {bytes: 5}, toxicity: 0.5}),
    ).toMatchObject({attributes: {bytes: 5}, toxicity: 0.5})
    expect((await remote.getToxic('r', 'limit_data_downstream')).attributes).toEqual({bytes: 5})
    await remote.removeToxic('r', 'limit_data_downstream')
    expect(api.registry.toxics('r')).toEqual([])
    expect((await remote.updateProxy('s', {enabled: false})).enabled).toBe(false)
    await remote.reset()
    expect((await remote.getProxy('s')).enabled).toBe(true)
    await remote.removeProxy('s')
    expect(Object.keys(api.registry.list())).toEqual(['r'])
  })

  it('turns failures into EnvironmentError naming the server and the call', async () => {
    const remote = new RemoteToxiproxy(api.base)
    const missing = remote.getProxy('nope')
    await expect(missing).rejects.toBeInstanceOf(EnvironmentError)
    await expect(missing).rejects.toThrow(
      `Toxiproxy at ${api.base}: get proxy nope failed: Request failed with status code 404`,
    )
    const dead = new RemoteToxiproxy('http://127.0.0.1:1')
    await expect(dead.version()).rejects.toMatchObject({exitCode: 3, code: 'FL_REMOTE_TOXIPROXY'})
  })
})
