import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {CheckResult, EndpointReport, MinimalCase} from '../../src/check/check-result.js'
import {conformanceShortfall} from '../../src/check/conformance/shortfall.js'
import {judgeEndpoint} from '../../src/check/endpoint-report.js'
import {toJsonResult, type CheckJson} from '../../src/check/json-result.js'
import {mergeShards, type ShardFile} from '../../src/check/merge.js'
import {countTrials} from '../../src/check/plan.js'
import {runCheck} from '../../src/check/run-check.js'
import {ShardSlice, type Shard} from '../../src/check/shard.js'
import {exitCodeOf} from '../../src/commands/result-command.js'
import {formatHtmlReport} from '../../src/report/html/index.js'
import {formatJUnitReport} from '../../src/report/junit-report.js'
import {formatMarkdownReport} from '../../src/report/markdown-report.js'
import {formatCheckReport} from '../../src/report/terminal-report.js'
import {readResultFile} from '../../src/report/result-file.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import type {Scenario} from '../../src/scenario/types.js'
import {testDir} from '../helpers/temp-dir.js'

const DEMO = 'fixtures/demo.yaml'
const IDEMPOTENCY_KEY = 'fixtures/idempotency-key.yaml'
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
 * judged on their own; the profile set rules where the slice runs them; and a minimal case per
 * contract its slice breaks: the run's own where the slice holds the run's first breach, else
 * the shard's own first breach unshrunk (what a shard reports when no simpler fault broke it).
 * Cut from one real run, the shards hold exactly the same measurements as the unsharded
 * result, so merging them must give that result back byte for byte.
 */
function cutShard(scenario: Scenario, result: CheckResult, shard: Shard): CheckJson {
  const slice = ShardSlice.of(shard, scenario.endpoints, result.seed)
  const endpoints = result.endpoints.flatMap((e, position) => {
    const ids = new Set(slice.trials(position))
    const trials = e.trials.filter((t) => ids.has(t.id))
    const conformance = slice.runsConformance(position) ? e.conformance : undefined
    if ((trials.length === 0 && !conformance) || e.oracle === 'none') return []
    const judged = judgeEndpoint(e, e.oracle, trials, e.baselineNote)
    const shortfall = conformance ? conformanceShortfall(conformance) : undefined
    const report: EndpointReport = {...judged, met: judged.met && !shortfall, unmetReason: judged.unmetReason ?? shortfall, ...(conformance ? {conformance} : {})}
    return [e.shrink ? {...report, minimal: cutMinimal(e, judged), shrink: {reruns: 0, ms: 0}} : report]
  })
  const plan = scenario.endpoints.map((e) => ({name: e.name, trials: countTrials(e)}))
  // The crash restarts happened once: in the first shard's file.
  const restarts = shard.index === 1 ? result.restarts : []
  return toJsonResult({...result, endpoints, restarts, ok: endpoints.every((e) => e.met), shard: {...shard, plan}})
}

function cutMinimal(whole: EndpointReport, shard: EndpointReport): EndpointReport['minimal'] {
  const own = (trial: number, breach: NonNullable<EndpointReport['breaches'][keyof EndpointReport['breaches']]>): MinimalCase => ({
    fault: breach.fault,
    trial: String(trial),
    simpler: false,
    reason: breach.reason,
    reruns: 0,
    ms: 0,
    replay: breach.replay,
    timeline: breach.timeline,
  })
  return Object.fromEntries(
    Object.entries(shard.breaches).map(([name, breach]) => {
      const first = whole.breaches[name as keyof typeof whole.breaches]
      const minimal = whole.minimal?.[name as keyof typeof whole.breaches]
      return [name, first?.trial === breach.trial && minimal ? minimal : own(breach.trial, breach)]
    }),
  )
}

/** The parts of a result that do not depend on how long it ran (the shards' server logs differ too). */
function comparable(result: CheckResult) {
  const {durationMs: _d, serverLog: _s, restarts: _r, ...json} = toJsonResult(withoutDurations(result))
  return json
}

/** The result with every duration zeroed (run, shrinking) and restarts rounded as a saved result has them. */
function withoutDurations(result: CheckResult): CheckResult {
  const endpoints = result.endpoints.map((e) => ({
    ...e,
    ...(e.shrink ? {shrink: {...e.shrink, ms: 0}} : {}),
    ...(e.minimal ? {minimal: Object.fromEntries(Object.entries(e.minimal).map(([name, m]) => [name, {...m, ms: 0}]))} : {}),
  }))
  const {serverLog: _s, ...rest} = result
  return {...rest, durationMs: 0, restarts: result.restarts.map((ms) => Math.round(ms)), endpoints}
}

/** Every rendering of a result, durations zeroed: merged must equal unsharded in each, byte for byte. */
function renderings(result: CheckResult) {
  const r = withoutDurations(result)
  return {
    exit: exitCodeOf(r),
    terminal: formatCheckReport(r, {color: false}),
    junit: formatJUnitReport(r),
    markdown: formatMarkdownReport(r),
    html: formatHtmlReport(r),
  }
}

/** Cut the run into 2 and into 3 shards, save them, read them back, merge: the unsharded result. */
async function expectCutsMerge(dir: string, scenario: Scenario, whole: CheckResult): Promise<void> {
  for (const total of [2, 3]) {
    const shards = Array.from({length: total}, (_, i) => cutShard(scenario, whole, {index: i + 1, total}))
    // Given in any order: merge orders them by index.
    const merged = mergeShards(await saved(mkdirSync(join(dir, `cut-${total}`), {recursive: true}) as string, shards.reverse()))
    expect(comparable(merged)).toEqual(comparable(whole))
    expect(JSON.stringify(comparable(merged))).toBe(JSON.stringify(comparable(whole)))
    const want = renderings(whole)
    const got = renderings(merged)
    for (const key of Object.keys(want) as Array<keyof typeof want>) expect(got[key], key).toBe(want[key])
  }
}

function plan(result: CheckResult) {
  return result.endpoints.map((e) => ({name: e.name, trials: e.trials.map((t) => [t.id, t.profile, t.fault, t.variant, t.replay])}))
}

describe('check --shard, then merge', () => {
  for (const seed of [1, 2, 3]) {
    it(`gives the unsharded result on the demo (seed ${seed})`, {timeout: 240_000}, async () => {
      const dir = testDir('faultline-shards-')
      const scenario = await demo()
      // Shrinking on, as the CLI runs it.
      const whole = await runCheck({scenario, scenarioArg: DEMO, seed, shrink: true})
      expect(whole.endpoints.some((e) => Object.values(e.minimal ?? {}).length > 0)).toBe(true)
      // Equal by construction: the shards cut from this run, saved, read back and merged.
      await expectCutsMerge(dir, scenario, whole)
      // Real shard runs: each plans and runs exactly its slice, with its own baselines.
      const ran: CheckJson[] = []
      for (const index of [1, 2, 3]) {
        const part = await runCheck({scenario, scenarioArg: DEMO, seed, shrink: true, shard: {index, total: 3}})
        expect(part.shard).toMatchObject({index, total: 3})
        ran.push(toJsonResult(part))
      }
      const merged = mergeShards(await saved(mkdirSync(join(dir, 'ran'), {recursive: true}) as string, ran))
      expect(plan(merged)).toEqual(plan(whole))
      const verdicts = (r: CheckResult) => r.endpoints.filter((e) => !CRASH_ENDPOINTS.includes(e.name)).map((e) => [e.name, e.oracle, e.contracts, e.met])
      expect(verdicts(merged)).toEqual(verdicts(whole))
      // Each broken contract has its minimal case, taken from the shard that shrank its first breach.
      const minimal = (r: CheckResult) => r.endpoints.filter((e) => !CRASH_ENDPOINTS.includes(e.name)).map((e) => [e.name, Object.keys(e.minimal ?? {})])
      expect(minimal(merged)).toEqual(minimal(whole))
    })
  }

  it("runs an endpoint's profile set rules in exactly one shard, and merge keeps them (idempotency-key)", {timeout: 240_000}, async () => {
    const dir = testDir('faultline-shards-')
    const scenario = await loadScenario(IDEMPOTENCY_KEY)
    const whole = await runCheck({scenario, scenarioArg: IDEMPOTENCY_KEY, seed: 1, shrink: true})
    expect(whole.endpoints.every((e) => e.conformance !== undefined)).toBe(true)
    await expectCutsMerge(dir, scenario, whole)
    // Real shard runs: the endpoints plan no fault trials, yet every one's rules run once.
    const ran: CheckJson[] = []
    for (const index of [1, 2]) ran.push(toJsonResult(await runCheck({scenario, scenarioArg: IDEMPOTENCY_KEY, seed: 1, shrink: true, shard: {index, total: 2}})))
    const ranRules = ran.flatMap((r) => r.endpoints.filter((e) => e.conformance).map((e) => e.name))
    expect(ranRules.sort()).toEqual(scenario.endpoints.map((e) => e.name).sort())
    const merged = mergeShards(await saved(mkdirSync(join(dir, 'ran'), {recursive: true}) as string, ran))
    const outcomes = (r: CheckResult) => r.endpoints.map((e) => [e.name, e.met, e.unmetReason, e.conformance?.map((c) => [c.rule, c.outcome])])
    expect(outcomes(merged)).toEqual(outcomes(whole))
    expect(exitCodeOf(merged)).toBe(exitCodeOf(whole))
  })
})
