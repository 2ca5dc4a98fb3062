import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {edit, loadFailure, loadText} from './helpers.js'

const RPC = `version: 1
target:
  protocol: jsonrpc
  requestId: { param: $.requestId }
  replicas:
    - name: primary
      role: primary
      url: http://127.0.0.1:{{port}}/rpc
      server:
        command: node fixtures/servers/replicated-counter-rpc.mjs --role primary --port {{port}} --peer {{replicationUrl}}
    - name: backup
      role: backup
      url: http://127.0.0.1:{{port}}/rpc
      server:
        command: node fixtures/servers/replicated-counter-rpc.mjs --role backup --port {{port}}
client:
  failoverOn: [-32001]
endpoints:
  - name: increment
    request: { method: increment, params: { mode: sync, key: "{{key}}", requestId: "{{requestId}}" } }
`

const GRPC = `version: 1
target:
  protocol: grpc
  proto: counter.proto
  replicas:
    - name: primary
      role: primary
      url: grpc://127.0.0.1:{{port}}
      server:
        command: node fixtures/servers/replicated-counter-grpc.mjs --role primary --port {{port}} --peer {{replicationUrl}}
    - name: backup
      role: backup
      url: grpc://127.0.0.1:{{port}}
      server:
        command: node fixtures/servers/replicated-counter-grpc.mjs --role backup --port {{port}}
client:
  failoverOn: [UNAVAILABLE, FAILED_PRECONDITION]
endpoints:
  - name: increment
    request: { method: replicas.Counter/Increment, message: { mode: sync, key: "{{key}}", request_id: "{{requestId}}" } }
`

const PROTO = {'counter.proto': readFileSync('fixtures/grpc/replicated-counter.proto', 'utf8')}

describe('target.replicas of jsonrpc and grpc targets', () => {
  it('keeps the protocol settings of a jsonrpc target and the failover codes', async () => {
    const scenario = await loadText(RPC)
    expect(scenario.target.replicas?.map((r) => r.url)).toEqual(['http://127.0.0.1:{{port}}/rpc', 'http://127.0.0.1:{{port}}/rpc'])
    expect(scenario.target.url).toBe('http://127.0.0.1:{{port}}/rpc')
    expect(scenario.target.jsonrpc).toEqual({retryErrorCodes: [], requestId: {param: '$.requestId'}})
    expect(scenario.client.failoverOn).toEqual([-32001])
  })

  it('keeps the proto of a grpc target and its status names', async () => {
    const scenario = await loadText(GRPC, PROTO)
    expect(scenario.target.proto).toMatch(/counter\.proto$/)
    expect(scenario.target.replicas?.map((r) => r.url)).toEqual(['grpc://127.0.0.1:{{port}}', 'grpc://127.0.0.1:{{port}}'])
    expect(scenario.client.failoverOn).toEqual(['UNAVAILABLE', 'FAILED_PRECONDITION'])
    // Without failoverOn, every reply the client retries fails over (client.retryOn).
    const plain = await loadText(edit(GRPC, ['  failoverOn: [UNAVAILABLE, FAILED_PRECONDITION]\n', '  timeout: 1s\n']), PROTO)
    expect(plain.client.failoverOn).toBeUndefined()
    expect(plain.client.retryOn).toEqual(['UNAVAILABLE'])
  })

  it('names the url form of the protocol when a target has neither url nor replicas', async () => {
    const start = GRPC.indexOf('  replicas:')
    const single = GRPC.slice(0, start) + GRPC.slice(GRPC.indexOf('client:'))
    expect(await loadFailure(edit(single, ['  failoverOn: [UNAVAILABLE, FAILED_PRECONDITION]\n', '  timeout: 1s\n']), PROTO)).toBe(
      'scenario.yaml:3:3: target: missing required field "url" (Base URL of the server under test, e.g. grpc://127.0.0.1:50051; may hold {{port}})',
    )
  })

  it("checks each replica's url in its protocol's form", async () => {
    expect(await loadFailure(edit(RPC, ['      url: http://127.0.0.1:{{port}}/rpc\n', '      url: grpc://127.0.0.1:{{port}}/rpc\n']))).toBe(
      'scenario.yaml:8:12: target.replicas[0].url: must be an http:// URL such as http://127.0.0.1:{{port}}/rpc (got "grpc://127.0.0.1:{{port}}/rpc")',
    )
    expect(await loadFailure(edit(GRPC, ['      url: grpc://127.0.0.1:{{port}}\n      server:\n        command: node fixtures/servers/replicated-counter-grpc.mjs --role backup', '      url: grpc://127.0.0.1\n      server:\n        command: node fixtures/servers/replicated-counter-grpc.mjs --role backup']), PROTO)).toBe(
      'scenario.yaml:13:12: target.replicas[1].url: must be a grpc:// or http:// URL with a port such as grpc://127.0.0.1:{{port}} (got "grpc://127.0.0.1")',
    )
  })

  it('takes replicas of a framed tcp target, each url tcp:// with a port, and error values to fail over on', async () => {
    const tcp = edit(
      RPC,
      ['  protocol: jsonrpc\n  requestId: { param: $.requestId }\n', '  protocol: tcp\n  errorField: $.error.code\n'],
      ['  failoverOn: [-32001]\n', '  failoverOn: [not-leader]\n'],
      ['    request: { method: increment, params: { mode: sync, key: "{{key}}", requestId: "{{requestId}}" } }', '    request: { frame: { op: increment, key: "{{key}}" } }'],
      ['url: http://127.0.0.1:{{port}}/rpc\n', 'url: tcp://127.0.0.1:{{port}}\n'],
      ['url: http://127.0.0.1:{{port}}/rpc\n', 'url: tcp://127.0.0.1:{{port}}\n'],
    )
    const scenario = await loadText(tcp)
    expect(scenario.target.replicas?.map((r) => r.url)).toEqual(['tcp://127.0.0.1:{{port}}', 'tcp://127.0.0.1:{{port}}'])
    expect(scenario.target.tcp?.errorField).toBe('$.error.code')
    expect(scenario.client.failoverOn).toEqual(['not-leader'])
    expect(await loadFailure(edit(tcp, ['  errorField: $.error.code\n', '']))).toBe(
      'scenario.yaml:16:3: client.failoverOn: lists error values, and this tcp target reads none; add target.errorField (e.g. $.error.code), or remove client.failoverOn',
    )
    expect(await loadFailure(edit(tcp, ['url: tcp://127.0.0.1:{{port}}\n', 'url: http://127.0.0.1:{{port}}\n']))).toBe(
      'scenario.yaml:8:12: target.replicas[0].url: must be a tcp:// URL with a port such as tcp://127.0.0.1:{{port}} (got "http://127.0.0.1:{{port}}")',
    )
  })

  it('checks client.failoverOn: the protocol status words, only with replicas, not beside a client command', async () => {
    expect(await loadFailure(edit(RPC, ['failoverOn: [-32001]', 'failoverOn: [-32001, UNAVAILABLE]']))).toBe(
      'scenario.yaml:17:24: client.failoverOn[1]: must be a whole number (got "UNAVAILABLE")',
    )
    expect(await loadFailure(edit(GRPC, ['failoverOn: [UNAVAILABLE, FAILED_PRECONDITION]', 'failoverOn: [UNAVAILABLE, NOT_LEADER]']), PROTO)).toMatch(
      /^scenario\.yaml:17:\d+: client\.failoverOn\[1\]: must be one of .*FAILED_PRECONDITION/,
    )
    expect(await loadFailure(edit(RPC, ['  protocol: jsonrpc\n  requestId: { param: $.requestId }\n', '  protocol: http\n'], ['/rpc\n', '\n'], ['/rpc\n', '\n'], ['failoverOn: [-32001]', 'failoverOn: [421, 99]']))).toMatch(
      /^scenario\.yaml:16:\d+: client\.failoverOn\[1\]: must be (>=|at least) 100/,
    )
    const single = `version: 1
target:
  protocol: jsonrpc
  url: http://127.0.0.1:4100/rpc
client:
  failoverOn: [-32001]
endpoints:
  - name: increment
    request: { method: increment }
`
    expect(await loadFailure(single)).toBe(
      'scenario.yaml:6:3: client.failoverOn: fails over between replicas, and this target has none; list them under target.replicas, or remove client.failoverOn',
    )
    expect(await loadFailure(edit(single, ['  failoverOn: [-32001]\n', '  failoverOn: [-32001]\n  command: node client.mjs {{proxyUrl}}\n']))).toBe(
      "scenario.yaml:6:3: client.failoverOn: configures faultline's built-in failover client, but client.command runs your own client; remove failoverOn",
    )
  })
})
