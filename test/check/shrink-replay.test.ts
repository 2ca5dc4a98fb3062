import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'

// End to end through the built binary (npm test builds dist/ first).
const NAIVE = 'test/fixtures/shrink-naive.yaml'

describe('faultline check prints the minimal case and a replay line that reproduces it', () => {
  it('shrinks by default, and the printed "replay minimal" command breaks the same contract with the minimal fault', async () => {
    const first = await runCli(['check', NAIVE, '--seed', '11'])
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/minimal: drop-reply on attempt 1 breaks at-most-once, exactly-once, idempotent, reply-consistent; 2 re-runs, \d+\.\d s/)
    const replay = /replay minimal: (faultline check .*)$/m.exec(first.stdout)?.[1]
    expect(replay).toBe(`faultline check ${NAIVE} --seed 11 --only naive-increment --trial 1 --candidate 2`)

    const again = await runCli([...(replay as string).split(' ').slice(1), '--json'])
    expect(again.code).toBe(0)
    const endpoint = JSON.parse(again.stdout).endpoints[0]
    expect(endpoint.trials).toHaveLength(1)
    expect(endpoint.trials[0]).toMatchObject({id: 1, candidate: 2, fault: 'drop-reply', injected: true})
    expect(endpoint.contracts.atMostOnce).toBe('broken')
    expect(endpoint.breaches.atMostOnce).toMatchObject({trial: 1, candidate: 2, fault: 'drop-reply', replay})
    // A replay of a minimal case does not shrink again.
    expect(endpoint.minimal).toEqual({})
  })

  it('--no-shrink reports the first breach only, with no re-runs', async () => {
    const result = await runCli(['check', NAIVE, '--seed', '12', '--no-shrink', '--json'])
    expect(result.code).toBe(0)
    const endpoint = JSON.parse(result.stdout).endpoints[0]
    expect(endpoint.contracts.atMostOnce).toBe('broken')
    expect(endpoint.minimal).toEqual({})
    expect(endpoint.shrink).toBeUndefined()
  })

  it('refuses a candidate the trial does not have, before starting anything', async () => {
    const result = await runCli(['check', NAIVE, '--seed', '12', '--only', 'naive-increment', '--trial', '1', '--candidate', '99'])
    expect(result.code).toBe(2)
    // One line, and nothing started: no seed announced, no run folder kept.
    expect(result.stderr.trim()).toMatch(/^faultline: --candidate 99: trial 1 of endpoint "naive-increment" has simpler candidates 1 to \d with this scenario and seed$/)
  })
})
