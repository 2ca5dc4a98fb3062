import {describe, expect, it} from 'vitest'
import {loadFailure, loadText} from './helpers.js'

const JSONRPC = `version: 1
target:
  protocol: jsonrpc
  url: http://127.0.0.1:4100/rpc
  requestId: { param: $.requestId }
  retryErrorCodes: [-32000]
endpoints:
  - name: transfer
    request:
      method: transfer
      params: { from: "{{key}}", amount: 5, requestId: "{{requestId}}" }
    effect:
      request: { method: balance, params: { account: "{{key}}" } }
      select: $.value
`

const TCP = `version: 1
target:
  protocol: tcp
  url: tcp://127.0.0.1:4100
  framing: { type: length-prefixed, headerBytes: 2, byteOrder: little }
  replyId: $.id
endpoints:
  - name: incr
    request:
      frame: { op: incr, id: "{{uuid}}", key: "{{key}}" }
`

describe('loadScenario: jsonrpc targets', () => {
  it('types the target options and the calls', async () => {
    const scenario = await loadText(JSONRPC)
    expect(scenario.target).toEqual({protocol: 'jsonrpc', url: 'http://127.0.0.1:4100/rpc', jsonrpc: {requestId: {param: '$.requestId'}, retryErrorCodes: [-32000]}})
    expect(scenario.endpoints[0]?.request).toEqual({
      kind: 'jsonrpc',
      batch: false,
      headers: {},
      calls: [{method: 'transfer', notification: false, params: {from: '{{key}}', amount: 5, requestId: '{{requestId}}'}}],
    })
  })

  it('takes batches, with notifications and headers', async () => {
    const text = JSONRPC.replace(
      '      method: transfer\n      params: { from: "{{key}}", amount: 5, requestId: "{{requestId}}" }\n',
      '      batch:\n        - { method: transfer, params: [1] }\n        - { method: log, notification: true }\n      headers: { Idempotency-Key: "{{requestId}}" }\n',
    )
    const request = (await loadText(text)).endpoints[0]?.request
    expect(request).toMatchObject({kind: 'jsonrpc', batch: true, headers: {'Idempotency-Key': '{{requestId}}'}})
    expect(request && 'calls' in request && request.calls.map((c) => [c.method, c.notification])).toEqual([
      ['transfer', false],
      ['log', true],
    ])
  })

  it('rejects HTTP-shaped requests, with the position', async () => {
    expect(await loadFailure(JSONRPC.replace('      method: transfer\n', '      method: transfer\n      path: /x\n'))).toBe(
      'scenario.yaml:11:7: endpoints[0].request.path: unknown field; allowed here: method, params, notification, batch, headers',
    )
  })

  it('rejects a request that is neither a call nor a batch', async () => {
    expect(await loadFailure(JSONRPC.replace('      method: transfer\n', ''))).toMatch(/^scenario\.yaml:\d+:\d+: endpoints\[0\]\.request: missing required field "method"/)
  })

  it('wants an http:// URL and a JSONPath for the request id param', async () => {
    expect(await loadFailure(JSONRPC.replace('http://127.0.0.1:4100/rpc', 'tcp://127.0.0.1:4100'))).toBe(
      'scenario.yaml:4:8: target.url: must be an http:// URL such as http://127.0.0.1:4100/rpc (got "tcp://127.0.0.1:4100")',
    )
    expect(await loadFailure(JSONRPC.replace('{ param: $.requestId }', '{ param: requestId }'))).toMatch(/^scenario\.yaml:5:\d+: target\.requestId\.param: must be a JSONPath/)
  })
})

describe('loadScenario: tcp targets', () => {
  it('types framing (with defaults), id fields and the frame', async () => {
    const scenario = await loadText(TCP)
    expect(scenario.target.tcp).toEqual({framing: {type: 'length-prefixed', headerBytes: 2, byteOrder: 'little', maxFrameBytes: 65535}, replyId: '$.id'})
    expect(scenario.endpoints[0]?.request).toEqual({kind: 'tcp', frame: {op: 'incr', id: '{{uuid}}', key: '{{key}}'}})
    const ndjson = await loadText(TCP.replace('{ type: length-prefixed, headerBytes: 2, byteOrder: little }', '{ type: ndjson }'))
    expect(ndjson.target.tcp?.framing).toEqual({type: 'ndjson', maxFrameBytes: 1024 * 1024})
  })

  it('rejects bad framing options at their position', async () => {
    expect(await loadFailure(TCP.replace('headerBytes: 2', 'headerBytes: 3'))).toBe('scenario.yaml:5:50: target.framing.headerBytes: must be one of 1, 2, 4 (got 3)')
    expect(await loadFailure(TCP.replace('{ type: length-prefixed, headerBytes: 2, byteOrder: little }', '{ type: ndjson, byteOrder: big }'))).toBe(
      'scenario.yaml:5:28: target.framing.byteOrder: only length-prefixed framing has byteOrder',
    )
    expect(await loadFailure(TCP.replace('byteOrder: little', 'byteOrder: little, maxFrameBytes: 70000'))).toMatch(/target\.framing\.maxFrameBytes: a 2-byte length header describes at most 65535 bytes$/)
  })

  it('wants a tcp:// URL with a port, a frame, and no reserved marker field', async () => {
    expect(await loadFailure(TCP.replace('tcp://127.0.0.1:4100', 'http://127.0.0.1:4100'))).toMatch(/target\.url: must be a tcp:\/\/ URL such as tcp:\/\/127\.0\.0\.1:4100/)
    expect(await loadFailure(TCP.replace('frame: {', 'frames: {'))).toMatch(/^scenario\.yaml:10:7: endpoints\[0\]\.request\.frames: unknown field \(did you mean frame\?\)/)
    expect(await loadFailure(TCP.replace('op: incr,', '$faultline: 1, op: incr,'))).toMatch(/request\.frame\.\$faultline: the \$faultline field is reserved/)
  })

  it('refuses an HTTP readiness check for a tcp server', async () => {
    const text = TCP.replace('  replyId: $.id\n', '  replyId: $.id\n  server:\n    command: node s.mjs\n    ready: { http: /health }\n')
    expect(await loadFailure(text)).toMatch(/target\.server\.ready\.http: a tcp target cannot answer HTTP/)
  })
})
