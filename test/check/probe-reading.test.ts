import type {IncomingMessage, ServerResponse} from 'node:http'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {readProbe} from '../../src/check/probe.js'
import type {Transport} from '../../src/check/protocol.js'
import {httpProtocol} from '../../src/check/protocols/http-protocol.js'
import {jsonRpcProtocol} from '../../src/check/protocols/jsonrpc-protocol.js'
import {SCENARIO_DEFAULTS} from '../../src/scenario/load-scenario.js'
import type {ClientPolicy, JsonRpcRequestTemplate, Scenario} from '../../src/scenario/types.js'
import {startHttpServer} from '../helpers/servers.js'

const policy: ClientPolicy = {...SCENARIO_DEFAULTS.client, retryOn: []}

/** A JSON-RPC server whose `echo` method answers its first param as the result, whatever JSON it is. */
async function echoRpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {id: number; params: unknown[]}
  const text = JSON.stringify({jsonrpc: '2.0', id: call.id, result: call.params[0]})
  res.writeHead(200, {'content-type': 'application/json'}).end(text)
}

function echo(value: unknown): JsonRpcRequestTemplate {
  return {
    kind: 'jsonrpc',
    calls: [{method: 'echo', params: [value], notification: false}],
    batch: false,
    headers: {},
  }
}

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.()
})

describe('JSON-RPC effect probes', () => {
  let transport: Transport
  beforeEach(async () => {
    const server = await startHttpServer((req, res) => void echoRpc(req, res))
    closers.push(server.close)
    const scenario = {
      target: {protocol: 'jsonrpc', url: `${server.url}/rpc`, jsonrpc: {retryErrorCodes: []}},
    } as unknown as Scenario
    transport = jsonRpcProtocol.createProbeClient(`${server.url}/rpc`, scenario)
    closers.push(() => transport.close())
  })

  it('read a result of any JSON type as that value, a string included', async () => {
    for (const value of ['0x1bc16d674ec80000', 'plain text', '', 42, 0, true, false, null, {a: 1}, [1, 2]]) {
      expect(await readProbe(transport, echo(value), {select: '$'}, policy), JSON.stringify(value)).toEqual({
        kind: 'value',
        value,
      })
    }
  })

  it('as: number reads hex and decimal strings and JSON numbers exactly', async () => {
    const cases: Array<[unknown, string]> = [
      ['0x1bc16d674ec80000', '2000000000000000000'],
      ['0x0', '0'],
      ['1000000000000000000000000000000000007', '1000000000000000000000000000000000007'],
      ['-5', '-5'],
      ['1.5', '1.5'],
      [12, '12'],
      [0.25, '0.25'],
    ]
    for (const [value, number] of cases) {
      expect(await readProbe(transport, echo(value), {select: '$', as: 'number'}, policy)).toEqual({
        kind: 'value',
        value,
        number,
      })
    }
  })

  it('as: length counts elements, keys and characters', async () => {
    expect(await readProbe(transport, echo([1, 2, 3]), {select: '$', as: 'length'}, policy)).toMatchObject({
      kind: 'value',
      number: '3',
    })
    expect(await readProbe(transport, echo({a: 1, b: 2}), {select: '$', as: 'length'}, policy)).toMatchObject(
      {kind: 'value', number: '2'},
    )
    expect(await readProbe(transport, echo('héllo'), {select: '$', as: 'length'}, policy)).toMatchObject({
      kind: 'value',
      number: '5',
    })
  })

  it('a reading `as` cannot convert is a probe error naming the value', async () => {
    const notNumber = await readProbe(transport, echo('abc'), {select: '$', as: 'number'}, policy)
    expect(notNumber).toMatchObject({kind: 'error'})
    expect(notNumber.kind === 'error' && notNumber.message).toMatch(
      /^as: number cannot read what \$ selected: the string "abc" is not a number; .*"0x1bc16d674ec80000"/,
    )
    const lossy = await readProbe(transport, echo(2 ** 60), {select: '$', as: 'number'}, policy)
    expect(lossy.kind === 'error' && lossy.message).toMatch(
      /the JSON number 1152921504606847000 is beyond 2\^53/,
    )
    const noLength = await readProbe(transport, echo(true), {select: '$', as: 'length'}, policy)
    expect(noLength.kind === 'error' && noLength.message).toMatch(/true has no length/)
  })
})

describe('HTTP effect probes', () => {
  it('still report a body that is not JSON as such', async () => {
    const server = await startHttpServer((_req, res) =>
      res.writeHead(200, {'content-type': 'text/plain'}).end('0x10'),
    )
    closers.push(server.close)
    const transport = httpProtocol.createProbeClient(server.url, {} as Scenario)
    closers.push(() => transport.close())
    const request = {method: 'GET', path: '/balance', headers: {}}
    expect(await readProbe(transport, request, {select: '$', as: 'number'}, policy)).toEqual({
      kind: 'error',
      message: 'the effect probe did not answer JSON',
    })
  })
})
