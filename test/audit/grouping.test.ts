import {describe, expect, it} from 'vitest'
import type {ObservedAttempt} from '../../src/audit/attempt.js'
import {OperationGrouper} from '../../src/audit/grouping.js'

let n = 0
function attempt(time: number, extra: Partial<ObservedAttempt> = {}): ObservedAttempt {
  n += 1
  return {request: `r${n}`, time, method: 'POST', target: '/orders', route: 'POST /orders', bodyHash: 'b1', unsafe: true, ...extra}
}
const failed = {fault: {profile: 'status-503', label: 'status(503)', action: {type: 'status', phase: 'request', status: 503}, fired: true}} as const

describe('OperationGrouper', () => {
  it('groups by request key first, whatever the body and the time', () => {
    const g = new OperationGrouper(100)
    const a = g.add(attempt(0, {key: {source: 'header idempotency-key', value: 'k1'}}))
    const b = g.add(attempt(5000, {key: {source: 'header idempotency-key', value: 'k1'}, bodyHash: 'other'}))
    expect(b.operation).toBe(a.operation)
    expect(b.number).toBe(2)
    expect(b.operation.attempts[1]?.reason).toEqual({rule: 'same-key', detail: 'same header idempotency-key "k1" as attempt 1'})
  })

  it('without a key, a request with the same method, target and body after a failed attempt within the window is its retry', () => {
    const g = new OperationGrouper(1000)
    const a = g.add(attempt(0, {...failed}))
    const b = g.add(attempt(400))
    expect(b.operation).toBe(a.operation)
    expect(b.operation.attempts[1]?.reason.rule).toBe('same-request')
    expect(b.operation.attempts[1]?.reason.detail).toContain('which failed 400 ms before')
  })

  it('a retry that mints a new key is still one operation, and says so', () => {
    const g = new OperationGrouper(1000)
    const a = g.add(attempt(0, {...failed, key: {source: 'header x-request-id', value: 'a'}}))
    const b = g.add(attempt(10, {key: {source: 'header x-request-id', value: 'b'}}))
    expect(b.operation).toBe(a.operation)
    expect(b.operation.attempts[1]?.reason.detail).toContain('new header x-request-id "b" (was "a")')
  })

  it('starts a new operation after a successful attempt, outside the window, or for another body', () => {
    const g = new OperationGrouper(1000)
    const ok = g.add(attempt(0))
    expect(g.add(attempt(10)).operation).not.toBe(ok.operation)
    const bad = g.add(attempt(20, {...failed, target: '/other'}))
    expect(g.add(attempt(1021, {target: '/other'})).operation).not.toBe(bad.operation)
    const bad2 = g.add(attempt(2000, {...failed, bodyHash: 'x'}))
    expect(g.add(attempt(2010, {bodyHash: 'y'})).operation).not.toBe(bad2.operation)
    expect(g.operations.map((op) => op.attempts.length)).toEqual([1, 1, 1, 1, 1, 1])
  })
})
