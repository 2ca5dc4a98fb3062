import {describe, expect, it} from 'vitest'
import {FaultSchedule} from '../../src/audit/fault-schedule.js'
import {grpcTimeoutMs, httpMethodUnsafe, routeOf} from '../../src/audit/route.js'
import {BUILTIN_PROFILES} from '../../src/scenario/profiles.js'

const PROFILES = BUILTIN_PROFILES.slice(0, 5)

describe('FaultSchedule', () => {
  it('gives every route each profile once per round, in a seeded order', () => {
    const schedule = new FaultSchedule(PROFILES, 42)
    const round = (route: string) => Array.from({length: PROFILES.length}, () => schedule.next(route)?.name)
    const first = round('PUT /kv/{id}')
    expect([...first].sort()).toEqual(PROFILES.map((p) => p.name).sort())
    expect(round('PUT /kv/{id}')).toEqual(first)
    const again = new FaultSchedule(PROFILES, 42)
    expect(Array.from({length: PROFILES.length}, () => again.next('PUT /kv/{id}')?.name)).toEqual(first)
  })

  it('has nothing to give without profiles', () => {
    expect(new FaultSchedule([], 1).next('GET /')).toBeUndefined()
  })
})

describe('routes', () => {
  it('replaces id-like segments and drops the query', () => {
    expect(routeOf('PUT', '/kv/17?x=1')).toBe('PUT /kv/{id}')
    expect(routeOf('GET', '/v1/users/3f2b9c1e-0d4a-4a6b-9a53-2c1d0e9f8a7b/orders')).toBe('GET /v1/users/{id}/orders')
    expect(routeOf('GET', '/kv/a')).toBe('GET /kv/a')
  })

  it('knows the idempotent HTTP methods of RFC 9110', () => {
    expect(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'].some(httpMethodUnsafe)).toBe(false)
    expect(['POST', 'PATCH'].every(httpMethodUnsafe)).toBe(true)
  })

  it('reads grpc-timeout', () => {
    expect(grpcTimeoutMs('5000m')).toBe(5000)
    expect(grpcTimeoutMs('2S')).toBe(2000)
    expect(grpcTimeoutMs('soon')).toBeUndefined()
  })
})
