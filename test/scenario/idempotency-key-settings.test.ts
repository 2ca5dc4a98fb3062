import {describe, expect, it} from 'vitest'
import {edit, loadFailure, loadText} from './helpers.js'

const SCENARIO = `version: 1
target:
  protocol: http
  url: http://127.0.0.1:4100
endpoints:
  - name: pay
    request:
      method: POST
      path: /payments
      headers: { Idempotency-Key: "{{requestId}}" }
      body: { amount: 10 }
    profiles: [idempotency-key, duplicate]
    idempotencyKey:
      errorBody: { amount: 5000, ref: "{{key}}" }
`

describe('the idempotency-key profile set in a scenario', () => {
  it('runs the set beside the fault profiles, with the defaults filled in', async () => {
    const scenario = await loadText(SCENARIO)
    const endpoint = scenario.endpoints[0]
    expect(endpoint?.profiles).toEqual(['duplicate'])
    expect(endpoint?.idempotencyKey).toEqual({header: 'Idempotency-Key', required: true, errorBody: {amount: 5000, ref: '{{key}}'}, otherBody: undefined})
  })

  it('is inherited from the scenario-wide profiles', async () => {
    const text = edit(SCENARIO, ['endpoints:', 'profiles: [idempotency-key]\nendpoints:'], ['    profiles: [idempotency-key, duplicate]\n', ''])
    const scenario = await loadText(text)
    expect(scenario.endpoints[0]?.profiles).toEqual([])
    expect(scenario.endpoints[0]?.idempotencyKey?.header).toBe('Idempotency-Key')
  })

  it('needs the request to send the key header', async () => {
    const text = edit(SCENARIO, ['      headers: { Idempotency-Key: "{{requestId}}" }\n', ''])
    expect(await loadFailure(text)).toBe(
      'scenario.yaml:8:7: endpoints[0].request: the idempotency-key profile set needs the request to send the key: add headers: { Idempotency-Key: "{{requestId}}" } (or name another header in idempotencyKey.header)',
    )
  })

  it('refuses settings for a set the endpoint does not run', async () => {
    const text = edit(SCENARIO, ['profiles: [idempotency-key, duplicate]', 'profiles: [duplicate]'])
    expect(await loadFailure(text)).toMatch(/^scenario\.yaml:13:5: endpoints\[0\]\.idempotencyKey: has no effect unless the endpoint runs the idempotency-key profile set/)
  })

  it('is HTTP only', async () => {
    const text = `version: 1
target:
  protocol: jsonrpc
  url: http://127.0.0.1:4100/rpc
endpoints:
  - name: pay
    request: { method: pay, params: { amount: 1 } }
    profiles: [idempotency-key]
`
    expect(await loadFailure(text)).toBe('scenario.yaml:8:16: endpoints[0].profiles[0]: idempotency-key checks the HTTP Idempotency-Key header; this target is jsonrpc')
  })

  it('checks the templates of its bodies', async () => {
    const text = edit(SCENARIO, ['ref: "{{key}}"', 'ref: "{{nope}}"'])
    expect(await loadFailure(text)).toMatch(/endpoints\[0\]\.idempotencyKey\.errorBody\.ref: unknown template \{\{nope\}\}/)
  })

  it('names the set when a profile name is unknown', async () => {
    const text = edit(SCENARIO, ['[idempotency-key, duplicate]', '[idempotency-keys]'])
    expect(await loadFailure(text)).toMatch(/unknown profile "idempotency-keys" \(did you mean .*\); known profiles: .*; profile sets: idempotency-key$/)
  })
})
