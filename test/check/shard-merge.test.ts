import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {CheckResult} from '../../src/check/check-result.js'
import {judgeEndpoint} from '../../src/check/endpoint-report.js'
import {toJsonResult, type CheckJson} from '../../src/check/json-result.js'
import {mergeShards, type ShardFile} from '../../src/check/merge.js'
import {countTrials} from '../../src/check/plan.js'
import {runCheck} from '../../src/check/run-check.js'
import {ShardSlice, type Shard} from '../../src/check/shard.js'
import {exitCodeOf} from '../../src/commands/result-command.js'
import {formatJUnitReport} from '../../src/report/junit-report.js'
import {formatMarkdownReport} from '../../src/report/markdown-report.js'
import {readResultFile} from '../../src/report/result-file.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import type {Scenario} from '../../src/scenario/types.js'
import {testDir} from '../helpers/temp-dir.js'

const DEMO = 'fixtures/demo.yaml'
/** The crash endpoints' verdicts are proven in crash-verdicts.test.ts; here they are part of the plan. */
const CRASH_ENDPOINTS = ['durable-increment', 'dedup-after-crash', 'ack-first-increment']

async function demo(): Promise<Scenario> {
  const scenario = await loadScenario(DEMO)
  // A client timeout a loaded CI machine does not reach by itself (the demo's 300ms can be).
  scenario.client.timeout = 1000
  return scenario
}

/** Save each result as `check --json` would print it, and read it back as merge does. */
async function saved(dir: string, results: CheckJson[]): Promise<ShardFile[]> {
  const files: ShardFile[] = []
  for (const [i, result] of results.entries()) {
    const file = join(dir, `shard-${i + 1}.json`)
    writeFileSync(file, JSON.stringify(result, null, 2))
    files.push({file, result: await readResultFile(file)})
  }
  return files
}

/**
 * What shard `shard` of this run would have reported: its slice of every endpoint's trials,
 * judged on their own. Cut from one real run, the shards hold exactly the same measurements
 * as the unsharded result, so merging them must give that result back byte for byte.
 */
function cutShard(scenario: Scenario, result: CheckResult, shard: Shard): CheckJson {
  const slice = ShardSlice.of(shard, scenario.endpoints, result.seed)
  const endpoints = result.endpoints.flatMap((e, position) => {
    const ids = new Set(slice.trials(position))
    const trials = e.trials.filter((t) => ids.has(t.id))
    return trials.length === 0 || e.oracle === 'none' ? [] : [judgeEndpoint(e, e.oracle, trials, e.baselineNote)]
  })
  const plan = scenario.endpoints.map((e) => ({name: e.name, trials: countTrials(e)}))
  return toJsonResult({...result, endpoints, ok: endpoints.every((e) => e.met), shard: {...shard, plan}})
}

/** The parts of a result that do not depend on how long it ran. */
function comparable(result: CheckResult) {
  const {durationMs: _d, serverLog: _s, restarts: _r, ...json} = toJsonResult(result)
  return json
}

function plan(result: CheckResult) {
  return result.endpoints.map((e) => ({name: e.name, trials: e.trials.map((t) => [t.id, t.profile, t.fault, t.variant, t.replay])}))
}

describe('check --shard, then merge', () => {
  for (const seed of [1, 2, 3]) {
    it(`gives the unsharded result on the demo (seed ${seed})`, {timeout: 240_000}, async () => {
      const dir = testDir('faultline-shards-')
      const scenario = await demo()
      const whole = await runCheck({scenario, scenarioArg: DEMO, seed})
      // Equal by construction: the shards cut from this run, saved, read back and merged.
      for (const total of [2, 3]) {
        const shards = Array.from({length: total}, (_, i) => cutShard(scenario, whole, {index: i + 1, total}))
        // Given in any order: merge orders them by index.
        const merged = mergeShards(await saved(mkdirSync(join(dir, `cut-${total}`), {recursive: true}) as string, shards.reverse()))
        const same = {...whole, durationMs: Math.round(whole.durationMs)}
        expect(comparable(merged)).toEqual(comparable(whole))
        expect(exitCodeOf(merged)).toBe(exitCodeOf(whole))
        expect(formatJUnitReport(merged)).toBe(formatJUnitReport(same))
        expect(formatMarkdownReport(merged)).toBe(formatMarkdownReport(same))
      }
      // Real shard runs: each plans and runs exactly its slice, with its own baselines.
      const ran: CheckJson[] = []
      for (const index of [1, 2, 3]) {
        const part = await runCheck({scenario, scenarioArg: DEMO, seed, shard: {index, total: 3}})
        expect(part.shard).toMatchObject({index, total: 3})
        ran.push(toJsonResult(part))
      }
      const merged = mergeShards(await saved(mkdirSync(join(dir, 'ran'), {recursive: true}) as string, ran))
      expect(plan(merged)).toEqual(plan(whole))
      const verdicts = (r: CheckResult) => r.endpoints.filter((e) => !CRASH_ENDPOINTS.includes(e.name)).map((e) => [e.name, e.oracle, e.contracts, e.met])
      expect(verdicts(merged)).toEqual(verdicts(whole))
    })
  }
})
