import {describe, expect, it} from 'vitest'
import type {AuditOperation, ObservedAttempt, PlannedFault} from '../../src/audit/attempt.js'
import {computeFindings, type FindingName} from '../../src/audit/findings.js'
import type {FaultAction} from '../../src/proxy/fault.js'

const STATUS_503: FaultAction = {type: 'status', phase: 'request', status: 503}
const RETRY_AFTER_1S: FaultAction = {type: 'status', phase: 'request', status: 429, retryAfter: 1}

function fault(action: FaultAction, at: number): PlannedFault {
  return {profile: 'p', label: 'l', action, fired: true, firedAt: at}
}

let ops = 0
/** An operation whose attempts arrived at `times`; `faulted` of them (from the first) got `action`. */
function operation(times: number[], options: {action?: FaultAction; faulted?: number; keys?: Array<string | undefined>; method?: string} = {}): AuditOperation {
  ops += 1
  const attempts = times.map((time, i): ObservedAttempt => {
    const key = options.keys?.[i]
    return {
      request: `r${ops}-${i}`,
      time,
      method: options.method ?? 'POST',
      target: '/orders',
      route: 'POST /orders',
      bodyHash: 'b',
      unsafe: (options.method ?? 'POST') === 'POST',
      ...(key ? {key: {source: 'header idempotency-key', value: key}} : {}),
      ...(options.action && i < (options.faulted ?? 1) ? {fault: fault(options.action, time)} : {}),
    }
  })
  return {id: `op${ops}`, route: 'POST /orders', attempts: attempts.map((attempt) => ({attempt, reason: {rule: 'first', detail: ''}}))}
}

function finding(operations: AuditOperation[], name: FindingName) {
  const [route] = computeFindings(operations, 0, 'http')
  return route?.findings.find((f) => f.name === name)
}

describe('computeFindings', () => {
  it('a retry with a new key is a duplicate the server cannot recognise: same-request-id no, with the operation as evidence', () => {
    const f = finding([operation([0, 100], {action: STATUS_503, keys: ['k1', 'k2']})], 'same-request-id')
    expect(f).toMatchObject({status: 'no', summary: '1 of 1 retried operations did not keep one request id'})
    expect(f?.evidence[0]).toMatch(/^op\d+ at \+0\.00 s: l; 2 attempts, waits 100 ms: new request id on retry/)
  })

  it('says sometimes when only some operations were retried, and not observed without a faulted operation', () => {
    expect(finding([operation([0, 50], {action: STATUS_503}), operation([1000], {action: STATUS_503})], 'retries-503')).toMatchObject({status: 'sometimes', summary: 'retried (1 of 2) after 2 faulted operations'})
    expect(finding([operation([0])], 'retries-503')).toMatchObject({status: 'not observed', evidence: []})
  })

  it('a retry sooner than Retry-After does not honour it; one at least 90% of it does', () => {
    expect(finding([operation([0, 300], {action: RETRY_AFTER_1S})], 'honours-retry-after')?.status).toBe('no')
    expect(finding([operation([0, 950], {action: RETRY_AFTER_1S})], 'honours-retry-after')?.status).toBe('yes')
  })

  it('flags retrying a keyless POST as an at-most-once risk, but not a keyed one or a PUT', () => {
    expect(finding([operation([0, 10], {action: STATUS_503})], 'retries-unsafe-without-key')?.status).toBe('yes')
    expect(finding([operation([0, 10], {action: STATUS_503, keys: ['k', 'k']})], 'retries-unsafe-without-key')?.status).toBe('not observed')
    expect(finding([operation([0, 10], {action: STATUS_503, method: 'PUT'})], 'retries-unsafe-without-key')?.status).toBe('not observed')
  })

  it('reads the attempt cap only from an operation that gave up while every attempt failed', () => {
    expect(finding([operation([0, 10, 30], {action: STATUS_503, faulted: 3})], 'attempt-cap')?.summary).toBe('gives up after 3 attempts')
    expect(finding([operation([0, 10, 30], {action: STATUS_503, faulted: 2})], 'attempt-cap')).toMatchObject({status: 'not observed', summary: 'at least 3 attempts; never gave up while the fault lasted (raise --fault-attempts)'})
  })

  it('reports only the findings of the protocol family', () => {
    const [http] = computeFindings([operation([0])], 0, 'http')
    const [grpc] = computeFindings([operation([0])], 0, 'grpc')
    expect(http?.findings.map((f) => f.name)).not.toContain('honours-pushback')
    expect(grpc?.findings.map((f) => f.name)).not.toContain('retries-503')
    expect(grpc?.findings.map((f) => f.name)).toContain('gives-up-before-deadline')
  })
})
