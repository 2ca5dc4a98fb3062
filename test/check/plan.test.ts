import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {countTrials, planEndpoint, planTrial, seeksSecondDelivery} from '../../src/check/plan.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {writeFiles} from '../scenario/helpers.js'

const SCENARIO = `version: 1
target: {protocol: http, url: "http://127.0.0.1:1"}
client: {timeout: 200ms}
endpoints:
  - name: create
    request: {method: POST, path: /x}
    profiles: [duplicate, delay-past-timeout, drop-request]
    trials: TRIALS
`

async function scenario(trials: number) {
  const dir = writeFiles({'s.yaml': SCENARIO.replace('TRIALS', String(trials))})
  return loadScenario(path.join(dir, 's.yaml'))
}

describe('trial planning', () => {
  it('plans every variant of a profile once before repeating any, both ends of each range included, on every seed', async () => {
    const s = await scenario(4)
    const endpoint = s.endpoints[0]!
    for (let seed = 1; seed <= 20; seed++) {
      const duplicates = [...planEndpoint(s, endpoint, 0, seed)].filter((t) => t.profile === 'duplicate')
      expect(duplicates.map((t) => t.variant).sort()).toEqual([
        'duplicate(concurrent)',
        'duplicate(delayed, longest)',
        'duplicate(delayed, shortest)',
        'duplicate(sequential)',
      ])
      const gaps = duplicates.flatMap((t) => t.faults.map((f) => f.action)).flatMap((a) => (a.type === 'duplicate' && a.mode === 'delayed' ? [a.delay] : []))
      expect(gaps.sort((a, b) => a - b)).toEqual([10, 100])
    }
  })

  it('covers both ends of a timeout-relative delay range, then draws inside it', async () => {
    const s = await scenario(5)
    const delays = [...planEndpoint(s, s.endpoints[0]!, 0, 7)]
      .filter((t) => t.profile === 'delay-past-timeout')
      .map((t) => (t.faults[0]!.action as {delay: number}).delay)
    expect(delays.slice(0, 2).sort((a, b) => a - b)).toEqual([240, 400]) // 1.2× and 2× the 200ms timeout
    for (const d of delays.slice(2)) {
      expect(d).toBeGreaterThanOrEqual(240)
      expect(d).toBeLessThanOrEqual(400)
    }
  })

  it('a trial planned alone is the trial planned with all the others, and the plan is the same for the same seed', async () => {
    const s = await scenario(6)
    const endpoint = s.endpoints[0]!
    const all = [...planEndpoint(s, endpoint, 0, 42)]
    expect(all).toHaveLength(countTrials(endpoint))
    for (const t of all) expect(planTrial(s, endpoint, 0, 42, t.id)).toEqual(t)
    expect([...planEndpoint(s, endpoint, 0, 42)]).toEqual(all)
    const other = [...planEndpoint(s, endpoint, 0, 43)].map((t) => t.variant)
    expect(other).not.toEqual(all.map((t) => t.variant)) // the order is seeded
  })

  it('knows which faults are meant to make a second delivery reach the server', () => {
    expect(seeksSecondDelivery({type: 'drop-request', mode: 'timeout'}, 200)).toBe(false)
    expect(seeksSecondDelivery({type: 'drop-reply', mode: 'timeout'}, 200)).toBe(true)
    expect(seeksSecondDelivery({type: 'delay', phase: 'request', delay: 50}, 200)).toBe(false)
    expect(seeksSecondDelivery({type: 'delay', phase: 'request', delay: 240}, 200)).toBe(true)
    expect(seeksSecondDelivery({type: 'crash-before-reply'}, 200)).toBe(true)
  })
})
