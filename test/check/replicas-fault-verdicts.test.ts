import {describe, expect, it} from 'vitest'
import type {CheckResult} from '../../src/check/check-result.js'
import {atLeastOnceRule, atMostOnceRule, type Judgement} from '../../src/check/contract-rules.js'
import type {TrialResult} from '../../src/check/trial-result.js'
import type {ProxyEvent} from '../../src/events/event-log.js'
import {runReplicated} from '../helpers/replica-verdicts.js'
import {expectNothingLeft} from './replica-leftovers.js'

const SCENARIO = 'test/fixtures/replicas-faults.yaml'

type Says = 'supports' | 'breaks' | 'inconclusive' | 'nothing'

interface Known {
  /** Executions the backup's counter shows at the end of the trial. */
  executions: number
  atLeastOnce: Says
  atMostOnce: Says
  /** Why, from the fixture's code (fixtures/servers/replicated-counter.mjs) and the fault. */
  why: string
}

/**
 * Every trial's outcome, known by construction. The client times out after 1 s and fails over
 * to the backup; the probe reads the backup. A partition lasts 1.5 s; a link fault lasts
 * until the trial is over.
 */
const KNOWN: Record<string, Record<string, Known>> = {
  'sync-increment': {
    'partition-primary-after-delivery': {executions: 1, atLeastOnce: 'supports', atMostOnce: 'supports', why: 'the primary replicated value and id before its (lost) reply; the retry on the backup finds the id'},
    'partition-primary-before-delivery': {executions: 1, atLeastOnce: 'supports', atMostOnce: 'nothing', why: 'the primary never saw it; the retry executes on the backup, the only delivery'},
    'crash-primary-before-reply-left-down': {executions: 1, atLeastOnce: 'supports', atMostOnce: 'supports', why: 'replicated with its id before the kill; the retry on the backup finds the id'},
    'crash-primary-after-reply-left-down': {executions: 1, atLeastOnce: 'supports', atMostOnce: 'inconclusive', why: 'replicated before the reply, so the backup has it; the primary left down gets no second delivery'},
    'replication-drop': {executions: 1, atLeastOnce: 'supports', atMostOnce: 'supports', why: 'replication swallowed: the primary does not apply it (503 or the client times out first); the retry executes once on the backup'},
    'replication-drop-reset': {executions: 1, atLeastOnce: 'supports', atMostOnce: 'supports', why: 'replication reset: the primary answers 503 without applying; the retry executes once on the backup'},
    'replication-delay': {executions: 1, atLeastOnce: 'supports', atMostOnce: 'nothing', why: 'replication 100–500 ms late, still within the client timeout: one delivery, one execution'},
  },
  'reply-first-increment': {
    'partition-primary-after-delivery': {executions: 1, atLeastOnce: 'supports', atMostOnce: 'supports', why: 'the link is healthy: value and id reach the backup 300 ms after the lost reply, before the retry at 1 s'},
    'replication-delay': {executions: 1, atLeastOnce: 'supports', atMostOnce: 'nothing', why: 'the write reaches the backup 400–800 ms after the reply; the probe looks again before concluding'},
    'crash-primary-after-reply-left-down': {executions: 0, atLeastOnce: 'breaks', atMostOnce: 'inconclusive', why: 'acknowledged, then killed before its 300 ms replication: the backup never has it'},
    'replication-drop': {executions: 0, atLeastOnce: 'breaks', atMostOnce: 'inconclusive', why: 'acknowledged, and the replication 300 ms later is swallowed by the link: the backup never has it'},
  },
  'data-only-increment': {
    'partition-primary-after-delivery': {executions: 2, atLeastOnce: 'supports', atMostOnce: 'breaks', why: 'the value reached the backup without the id; the retry on the backup executes again'},
    'partition-primary-before-delivery': {executions: 1, atLeastOnce: 'supports', atMostOnce: 'nothing', why: 'the primary never saw it; the retry executes on the backup, the only delivery'},
    'crash-primary-before-reply-left-down': {executions: 2, atLeastOnce: 'supports', atMostOnce: 'breaks', why: 'the value reached the backup without the id; the retry on the backup executes again'},
    'replication-drop': {executions: 1, atLeastOnce: 'supports', atMostOnce: 'supports', why: 'the value cannot be replicated: the primary does not apply it; the retry executes once on the backup'},
    'replication-drop-reset': {executions: 1, atLeastOnce: 'supports', atMostOnce: 'supports', why: 'as replication-drop, answered 503 at once'},
  },
}

function says(judgement: Judgement): Says {
  if (judgement === undefined) return 'nothing'
  if (judgement === 'supports') return 'supports'
  return 'breaks' in judgement ? 'breaks' : 'inconclusive'
}

const actions = (timeline: ProxyEvent[], proxy: string): string[] => timeline.filter((e) => e.type === 'supervisor' && e.proxy === proxy).map((e) => String(e.detail?.action))

function trialOf(result: CheckResult, endpoint: string, profile: string): TrialResult {
  const trial = result.endpoints.find((e) => e.name === endpoint)?.trials.find((t) => t.profile === profile)
  if (!trial) throw new Error(`no ${profile} trial of ${endpoint}`)
  return trial
}

describe('replicated targets: verdicts of partitions, a primary left down and replication-link faults', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    // 16 trials, partitions of 1.5 s and restarts of a Node process each: bounded for a loaded machine.
    it(`each fault on each replication mode gives the outcome known by construction (seed ${seed})`, {timeout: 150_000}, async () => {
      const {scenario, result, seen, of, runDir} = await runReplicated(SCENARIO, seed)
      expect(result.aborted).toBeUndefined()
      // A run keeps only its evidence timelines; every trial's events come from the event log.
      const timeline = (endpoint: string, t: TrialResult): ProxyEvent[] => of(scenario.endpoints.findIndex((e) => e.name === endpoint), t.id)
      for (const endpoint of result.endpoints) {
        expect(endpoint.notInjected).toEqual([])
        expect(endpoint.errors).toEqual([])
      }
      for (const [endpoint, profiles] of Object.entries(KNOWN)) {
        for (const [profile, known] of Object.entries(profiles)) {
          const t = trialOf(result, endpoint, profile)
          const got = {executions: t.executions, atLeastOnce: says(atLeastOnceRule('count')(t)), atMostOnce: says(atMostOnceRule('count')(t))}
          expect(got, `${endpoint} × ${profile}: ${known.why}`).toEqual({executions: known.executions, atLeastOnce: known.atLeastOnce, atMostOnce: known.atMostOnce})
          // Every line about a proxy or a server names its replica, or the link.
          for (const e of timeline(endpoint, t)) if (['request', 'delivery', 'reply', 'reply-end', 'fault', 'supervisor'].includes(e.type)) expect(['primary', 'backup', 'primary→backup']).toContain(e.proxy)
        }
      }
      expect(result.endpoints.map((e) => [e.name, e.contracts.atLeastOnce, e.contracts.atMostOnce, e.met])).toEqual([
        ['sync-increment', 'holds', 'holds', true],
        ['reply-first-increment', 'broken', 'holds', true],
        ['data-only-increment', 'holds', 'broken', true],
      ])
      const replyFirst = result.endpoints[1]
      expect(replyFirst?.breaches.atLeastOnce?.reason).toMatch(/^lost acknowledged effect: the client saw ok, then the primary crashed and the replica that took over did not have the effect$|^lost acknowledged effect: the client saw ok but the operation never took effect$/)

      // A partition: the primary is cut off and heals; it is never killed, and its proxy dropped the retry nothing.
      const partition = trialOf(result, 'data-only-increment', 'partition-primary-after-delivery')
      const partitionEvents = timeline('data-only-increment', partition)
      expect(actions(partitionEvents, 'primary')).toEqual(['partitioned', 'healed'])
      expect(partitionEvents.some((e) => e.type === 'probe' && e.detail?.when === 'at partition')).toBe(true)
      // Left down: killed, failed over, never restarted within the trial; no attempt after the kill reached the primary.
      const leftDown = trialOf(result, 'data-only-increment', 'crash-primary-before-reply-left-down')
      const leftDownEvents = timeline('data-only-increment', leftDown)
      // The event log also has the restart that follows the trial's last probe (not part of the trial).
      const lastProbe = leftDownEvents.findIndex((e) => e.type === 'probe' && e.detail?.when === 'after')
      expect(lastProbe).toBeGreaterThan(0)
      expect(actions(leftDownEvents.slice(0, lastProbe + 1), 'primary')).toEqual(['killed', 'failed-over', 'left down'])
      expect(actions(leftDownEvents.slice(lastProbe + 1), 'primary')).toEqual(['restarted'])
      const killed = leftDownEvents.findIndex((e) => e.detail?.action === 'killed')
      expect(leftDownEvents.slice(killed).filter((e) => e.type === 'delivery').map((e) => e.proxy)).toEqual(['backup'])
      // The link: faulted from the trial's first attempt, named as the link.
      const drop = trialOf(result, 'sync-increment', 'replication-drop-reset')
      const dropEvents = timeline('sync-increment', drop)
      // Taken off the link once the trial is over (the event log has that too).
      expect(actions(dropEvents, 'primary→backup')).toEqual(['link faulted: replication-drop(reset)', 'link restored'])
      expect(dropEvents.some((e) => e.type === 'fault' && e.proxy === 'primary→backup' && e.fault === 'reset_peer')).toBe(true)
      expect(drop.replies[0]?.status).toBe(503)

      // Nothing is left: no replica process, no port (two replicas, two proxies, the link's proxy), no run folder.
      expectNothingLeft(seen, runDir, 5)
    })
  }
})
