import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {EXIT, ScenarioError} from '../../src/errors.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {edit, writeFiles} from './helpers.js'

/** A client.command scenario over HTTP, the example. */
const COMMAND = `version: 1
target:
  protocol: http
  url: http://127.0.0.1:4100
client:
  command: node ./client.js create-order --ref {{key}}
  env: { ORDERS_URL: "{{proxyUrl}}" }
  timeout: 10s
endpoints:
  - name: create-order
    match: { method: post, path: "/orders/{id}/items" }
    effect: { request: { method: GET, path: "/orders?ref={{key}}" }, select: $.length }
    expect: exactly-once
`

async function load(text: string) {
  const dir = writeFiles({'scenario.yaml': text})
  return {dir, scenario: await loadScenario(path.join(dir, 'scenario.yaml'), {env: {}})}
}

/** The one-line message loading `text` fails with, file name shortened to s.yaml. */
async function failure(text: string): Promise<string> {
  const dir = writeFiles({'scenario.yaml': text})
  const error = await loadScenario(path.join(dir, 'scenario.yaml'), {env: {}}).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ScenarioError)
  expect((error as ScenarioError).exitCode).toBe(EXIT.usage)
  expect((error as ScenarioError).message).not.toContain('\n')
  return (error as ScenarioError).message.replaceAll(path.join(dir, 'scenario.yaml'), 's.yaml')
}

describe('client.command scenarios', () => {
  it('load the command, its env and deadline, and each endpoint\'s match as a proxy rule selector', async () => {
    const {scenario} = await load(COMMAND)
    expect(scenario.clientCommand).toEqual({command: 'node ./client.js create-order --ref {{key}}', env: {ORDERS_URL: '{{proxyUrl}}'}, timeout: 10_000})
    // The deadline is the operation's timeout everywhere (timeout-relative faults, baselines).
    expect(scenario.client.timeout).toBe(10_000)
    const [endpoint] = scenario.endpoints
    expect(endpoint?.request).toBeUndefined()
    expect(endpoint?.match).toEqual({method: 'POST', path: '/orders/*/items'})
  })

  it('default the deadline to 10s and resolve cwd against the scenario file', async () => {
    const {scenario, dir} = await load(edit(COMMAND, ['  timeout: 10s\n', '  cwd: clients\n']))
    expect(scenario.clientCommand).toMatchObject({timeout: 10_000, cwd: path.join(dir, 'clients')})
  })

  it('refuse an endpoint request next to client.command', async () => {
    const text = edit(COMMAND, ['    match:', '    request: { method: POST, path: /orders }\n    match:'])
    expect(await failure(text)).toBe(
      "s.yaml:11:5: endpoints[0].request: client.command runs your own client, which sends the requests; remove request and say which of its requests are this endpoint's with match",
    )
  })

  it('require match in command mode, saying what to write', async () => {
    const text = edit(COMMAND, ['    match: { method: post, path: "/orders/{id}/items" }\n', ''])
    expect(await failure(text)).toMatch(/^s\.yaml:10:5: endpoints\[0\]: missing required field "match" .*match: \{ method: POST, path: \/orders\/\{id\} \}$/)
  })

  it('refuse match without client.command', async () => {
    const text = edit(COMMAND, ['  command: node ./client.js create-order --ref {{key}}\n  env: { ORDERS_URL: "{{proxyUrl}}" }\n', ''])
    expect(await failure(text)).toMatch(/^s\.yaml:9:5: endpoints\[0\]\.match: says which of a client command's requests .* add client\.command, or remove match$/)
  })

  it('refuse the built-in client\'s retry fields next to a command', async () => {
    expect(await failure(edit(COMMAND, ['  timeout: 10s\n', '  timeout: 10s\n  attempts: 3\n']))).toBe(
      "s.yaml:9:3: client.attempts: configures faultline's built-in client, but client.command runs your own client, which retries as it is written to; remove attempts",
    )
  })

  it('refuse templates a client command has no value for', async () => {
    expect(await failure(edit(COMMAND, ['--ref {{key}}', '--ref {{attempt}}']))).toMatch(
      /^s\.yaml:6:12: client\.command: \{\{attempt\}\} is not available in client\.command; allowed here: .*\{\{proxyUrl\}\}/,
    )
  })

  it('refuse a template in a match path: match picks requests whatever their values', async () => {
    expect(await failure(edit(COMMAND, ['/orders/{id}/items', '/orders/{{key}}/items']))).toMatch(/^s\.yaml:11:34: endpoints\[0\]\.match\.path: .*write a \{name\} segment/)
  })

  it('match a JSON-RPC endpoint by its method, and refuse a path there', async () => {
    const rpc = edit(COMMAND, ['protocol: http', 'protocol: jsonrpc'], ['url: http://127.0.0.1:4100', 'url: http://127.0.0.1:4100/rpc'], ['effect: { request: { method: GET, path: "/orders?ref={{key}}" }, select: $.length }', 'effect: { request: { method: get, params: { key: "{{key}}" } }, select: $.value }'])
    expect(await failure(rpc)).toMatch(/^s\.yaml:11:28: endpoints\[0\]\.match\.path: a jsonrpc endpoint is matched by method; write match: \{ method: createOrder \}/)
    const {scenario} = await load(edit(rpc, ['match: { method: post, path: "/orders/{id}/items" }', 'match: { method: increment }']))
    expect(scenario.endpoints[0]?.match).toEqual({rpcMethod: 'increment'})
  })

  it('match a framed TCP endpoint by fields of its request frame', async () => {
    const tcp = edit(
      COMMAND,
      ['protocol: http', 'protocol: tcp'],
      ['url: http://127.0.0.1:4100', 'url: tcp://127.0.0.1:4100'],
      ['match: { method: post, path: "/orders/{id}/items" }', 'match: { fields: { $.op: increment } }'],
      ['effect: { request: { method: GET, path: "/orders?ref={{key}}" }, select: $.length }', 'effect: { request: { frame: { op: get, key: "{{key}}" } }, select: $.result.value }'],
    )
    const {scenario} = await load(tcp)
    expect(scenario.endpoints[0]?.match).toEqual({fields: {'$.op': 'increment'}})
    expect(await failure(edit(tcp, ['{ fields: { $.op: increment } }', '{ method: increment }']))).toMatch(/a tcp endpoint is matched by fields; write match: \{ fields: \{ \$\.op: createOrder \} \}/)
  })
})
