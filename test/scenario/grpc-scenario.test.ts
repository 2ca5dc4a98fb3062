import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {PROTO_FILE} from '../helpers/grpc.js'
import {edit, loadFailure, writeFiles} from './helpers.js'

const PROTO = readFileSync(PROTO_FILE, 'utf8')

const GRPC = `version: 1
target:
  protocol: grpc
  url: grpc://127.0.0.1:50051
  proto: protos/bank.proto
endpoints:
  - name: deposit
    request:
      method: bank.NaiveBank/Deposit
      message: { account: "{{key}}", amount: 5, request_id: "{{requestId}}" }
      metadata: { X-Request-Id: "{{requestId}}", x-n: 3 }
    effect:
      request: { method: bank.NaiveBank/Balance, message: { account: "{{key}}" } }
      select: $.deposits
`

async function load(text: string) {
  const dir = writeFiles({'scenario.yaml': text, 'protos/bank.proto': PROTO})
  return {dir, scenario: await loadScenario(path.join(dir, 'scenario.yaml'), {env: {}})}
}

/** The one-line error loading `text` (with the bank proto beside it) fails with. */
const failure = (text: string): Promise<string> => loadFailure(text, {'protos/bank.proto': PROTO})

describe('loadScenario: grpc targets', () => {
  it('loads the target, requests and gRPC client defaults', async () => {
    const {scenario, dir} = await load(GRPC)
    expect(scenario.target).toEqual({protocol: 'grpc', url: 'grpc://127.0.0.1:50051', proto: path.join(dir, 'protos/bank.proto')})
    expect(scenario.client.retryOn).toEqual(['UNAVAILABLE'])
    expect(scenario.endpoints[0]?.request).toEqual({
      method: 'bank.NaiveBank/Deposit',
      message: {account: '{{key}}', amount: 5, request_id: '{{requestId}}'},
      metadata: {'x-request-id': '{{requestId}}', 'x-n': '3'},
    })
    expect(scenario.endpoints[0]?.effect?.request).toEqual({method: 'bank.NaiveBank/Balance', message: {account: '{{key}}'}, metadata: {}})
  })

  it('takes gRPC status names in client.retryOn and accepts http:// (h2c) URLs', async () => {
    const {scenario} = await load(edit(GRPC, ['url: grpc://', 'url: http://']) + 'client: { retryOn: [UNAVAILABLE, RESOURCE_EXHAUSTED] }\n')
    expect(scenario.client.retryOn).toEqual(['UNAVAILABLE', 'RESOURCE_EXHAUSTED'])
  })

  it('an unknown method names the methods the proto defines', async () => {
    expect(await failure(edit(GRPC, ['method: bank.NaiveBank/Deposit', 'method: bank.NaiveBank/Depost']))).toBe(
      'scenario.yaml:9:15: endpoints[0].request.method: unknown method "bank.NaiveBank/Depost" (did you mean bank.NaiveBank/Deposit?); the proto defines: bank.NaiveBank/Deposit, bank.NaiveBank/Balance, bank.NaiveBank/Watch, bank.DedupBank/Deposit, bank.DedupBank/Balance, bank.FlakyBank/Deposit, bank.FlakyBank/Balance',
    )
  })

  it('a streaming method cannot be checked', async () => {
    expect(await failure(edit(GRPC, ['method: bank.NaiveBank/Balance', 'method: bank.NaiveBank/Watch']))).toBe(
      'scenario.yaml:13:26: endpoints[0].effect.request.method: bank.NaiveBank/Watch is a streaming method; only unary methods can be checked (the proxy passes streaming calls through)',
    )
  })

  it('an unknown field of the request message', async () => {
    expect(await failure(edit(GRPC, ['amount: 5', 'amout: 5']))).toBe(
      'scenario.yaml:10:38: endpoints[0].request.message.amout: unknown field of the bank.NaiveBank/Deposit request message (did you mean amount?); its fields: account, amount, request_id',
    )
  })

  it('an HTTP request shape on a grpc target', async () => {
    expect(await failure(edit(GRPC, ['      method: bank.NaiveBank/Deposit\n', '      method: POST\n      path: /x\n']))).toMatch(
      /^scenario\.yaml:9:15: endpoints\[0\]\.request\.method: must name an RPC as package\.Service\/Method, e\.g\. bank\.Bank\/Deposit \(got "POST"\)$/,
    )
  })

  it('an HTTP field in a gRPC request', async () => {
    expect(await failure(edit(GRPC, ['      method: bank.NaiveBank/Deposit\n', '      method: bank.NaiveBank/Deposit\n      path: /x\n']))).toBe(
      'scenario.yaml:10:7: endpoints[0].request.path: unknown field; allowed here: method, message, metadata',
    )
  })

  it('an HTTP status in retryOn of a grpc target', async () => {
    expect(await failure(GRPC + 'client: { retryOn: [503] }\n')).toBe(
      'scenario.yaml:15:21: client.retryOn[0]: must be one of OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED (got 503)',
    )
  })

  it('a proto file that does not load', async () => {
    expect(await failure(edit(GRPC, ['protos/bank.proto', 'protos/missing.proto']))).toMatch(
      /^scenario\.yaml:5:10: target\.proto: cannot load the proto file: .*missing\.proto/,
    )
  })

  it('a grpc target needs a proto and a port', async () => {
    expect(await failure(edit(GRPC, ['  proto: protos/bank.proto\n', '']))).toMatch(/^scenario\.yaml:3:3: target: missing required field "proto" \(The \.proto file/)
    expect(await failure(edit(GRPC, ['grpc://127.0.0.1:50051', 'grpc://127.0.0.1']))).toBe(
      'scenario.yaml:4:8: target.url: must be a grpc:// or http:// URL with a port, such as grpc://127.0.0.1:50051 (got "grpc://127.0.0.1")',
    )
  })

  it('status faults only on grpc targets', async () => {
    const http = `version: 1
target: { protocol: http, url: http://127.0.0.1:4100 }
endpoints:
  - name: x
    request: { method: POST, path: /x }
    profiles: [drop-request, status-unavailable]
`
    expect(await failure(http)).toBe(
      'scenario.yaml:6:30: endpoints[0].profiles[1]: profile "status-unavailable" injects status faults with mode UNAVAILABLE, which apply to grpc targets only (this target is http)',
    )
    const {scenario} = await load(GRPC + 'profiles: [status-unavailable, status-unavailable-after-reply]\n')
    expect(scenario.profiles).toEqual(['status-unavailable', 'status-unavailable-after-reply'])
  })

  it('a grpc server has no HTTP readiness path', async () => {
    const text = edit(GRPC, ['  proto: protos/bank.proto\n', '  proto: protos/bank.proto\n  server: { command: node s.mjs, ready: { http: /health } }\n'])
    expect(await failure(text)).toMatch(/^scenario\.yaml:6:43: target\.server\.ready\.http: a gRPC server has no HTTP\/1\.1 readiness path/)
  })
})
