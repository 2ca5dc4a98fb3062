import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'

// Endpoints that must write to a resource that exists before the run (PUT /posts/1): every trial
// starts from what the previous one left, so only the trial's own before-reading and the state one
// clean execution produces say whether its effect happened. Each endpoint runs alone, so that no
// other endpoint's crash restarts the store between two of its trials.
const FILE = 'fixtures/shared-resource.yaml'

async function check(only: string, seed: number) {
  const result = await runCheck({scenario: await loadScenario(FILE), scenarioArg: FILE, seed, only})
  return result.endpoints[0]
}

describe('a pre-existing resource shared by every trial', () => {
  for (const seed of [1, 2]) {
    it(`a write acknowledged, then lost in a crash that brought back the previous trial's write, breaks at-least-once (seed ${seed})`, async () => {
      const ackFirst = await check('rename-ack-first', seed)
      expect(ackFirst?.oracle).toBe('state')
      expect(ackFirst?.contracts.atLeastOnce).toBe('broken')
      expect(ackFirst?.breaches.atLeastOnce?.reason).toMatch(/lost acknowledged effect/)
      expect(ackFirst?.breaches.atLeastOnce?.fault).toBe('crash-after-reply')
      // Every crash-after-reply trial whose client saw ok lost the acknowledged write.
      const crashes = ackFirst?.trials.filter((t) => t.profile === 'crash-after-reply' && t.outcome === 'ok' && t.injected) ?? []
      expect(crashes.length).toBeGreaterThan(0)
      for (const t of crashes) expect(t.effectAfterRestart).toBe(false)
    })
  }

  it('a write made durable before its reply keeps at-least-once, crashes included, and is idempotent', async () => {
    const durable = await check('rename-durable', 1)
    expect(durable?.contracts.atLeastOnce).toBe('holds')
    expect(durable?.contracts.idempotent).toBe('holds')
    expect(durable?.met).toBe(true)
  })
})
