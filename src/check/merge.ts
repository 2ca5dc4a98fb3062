import {isDeepStrictEqual} from 'node:util'
import {EnvironmentError, UsageError} from '../errors.js'
import type {CheckResult, EndpointReport} from './check-result.js'
import {conformanceShortfall} from './conformance/shortfall.js'
import {abortedReport} from './endpoint-check.js'
import {judgeEndpoint} from './endpoint-report.js'
import type {CheckJson} from './json-result.js'
import {mergeShrink} from './merge-shrink.js'
import {fromJsonResult} from './result-from-json.js'
import {ShardSlice, type ShardInfo} from './shard.js'

/** One shard's saved `--json` result and the file it came from (for messages). */
export interface ShardFile {
  file: string
  result: CheckJson
}

interface Shard {
  file: string
  info: ShardInfo
  result: CheckResult
}

/**
 * Combine the shards of one run (`check --shard i/n --json`, every i from 1 to n) into the
 * result the unsharded run with the same seed gives: each endpoint's trials from every shard,
 * judged again by the same rules, its profile set rules from the one shard that ran them, and
 * each broken contract's minimal case from the shard that shrank its first breach. Shards of different runs (seed, scenario, shard count or
 * plan), a shard given twice, a missing shard, or a shard whose trials are not its slice are
 * refused with one line naming the file.
 */
export function mergeShards(files: readonly ShardFile[]): CheckResult {
  const shards = files.map(toShard)
  const first = shards[0]
  if (!first) throw new UsageError('merge needs the shard files of one run: faultline merge shard-*.json')
  for (const shard of shards.slice(1)) checkSameRun(first, shard)
  const ordered = orderShards(shards, first.info.total)
  const counts = first.info.plan.map((p) => p.trials)
  for (const shard of ordered) checkSlice(shard, new ShardSlice(shard.info, counts, first.result.seed))
  const endpoints = first.info.plan.map(({name}) => mergeEndpoint(name, ordered))
  const aborted = ordered.find((s) => s.result.aborted)?.result.aborted
  const merged: CheckResult = {
    seed: first.result.seed,
    ok: aborted === undefined && endpoints.every((e) => e.met),
    scenario: first.result.scenario,
    // The shards ran side by side: the run took as long as its slowest shard.
    durationMs: Math.max(...ordered.map((s) => s.result.durationMs)),
    endpoints,
    restarts: ordered.flatMap((s) => s.result.restarts),
  }
  if (aborted) merged.aborted = aborted
  return merged
}

function toShard({file, result}: ShardFile): Shard {
  if (!result.shard) throw new UsageError(`${file}: no shard field: it is not from check --shard; merge takes the --json files of every shard of one run`)
  return {file, info: result.shard, result: fromJsonResult(result)}
}

function checkSameRun(first: Shard, other: Shard): void {
  const differs = (field: string, a: unknown, b: unknown, what: string) =>
    new UsageError(`${other.file}: ${field} ${JSON.stringify(b)}, but ${first.file} has ${JSON.stringify(a)}: ${what}; merge only the shards of one run`)
  if (other.result.seed !== first.result.seed) throw differs('seed', first.result.seed, other.result.seed, 'shards of different seeds plan different trials')
  if (other.result.scenario !== first.result.scenario) throw differs('scenario', first.result.scenario, other.result.scenario, 'shards of different scenarios')
  if (other.info.total !== first.info.total) throw differs('shard.total', first.info.total, other.info.total, 'shards of different --shard counts')
  if (!isDeepStrictEqual(other.info.plan, first.info.plan)) {
    throw new UsageError(`${other.file}: shard.plan differs from ${first.file}'s (other endpoints or trial counts: the scenario or --only changed); merge only the shards of one run`)
  }
}

/** The shards by index, each exactly once. */
function orderShards(shards: Shard[], total: number): Shard[] {
  const byIndex = new Map<number, Shard>()
  for (const shard of shards) {
    const twice = byIndex.get(shard.info.index)
    if (twice) throw new UsageError(`${shard.file}: shard ${shard.info.index}/${total} is also ${twice.file}; give each shard once`)
    byIndex.set(shard.info.index, shard)
  }
  const missing = Array.from({length: total}, (_, i) => i + 1).filter((i) => !byIndex.has(i))
  if (missing.length > 0) {
    const have = [...byIndex.values()].map((s) => `${s.info.index}/${total} from ${s.file}`).join(', ')
    throw new UsageError(`missing shard ${missing.map((i) => `${i}/${total}`).join(', ')} (have ${have}); give every shard's --json file`)
  }
  return Array.from({length: total}, (_, i) => byIndex.get(i + 1) as Shard)
}

/**
 * Every endpoint of the shard holds exactly the trials its slice plans, unless the run aborted
 * it, and profile set rules only where this shard runs them.
 */
function checkSlice(shard: Shard, slice: ShardSlice): void {
  const {index, total} = shard.info
  shard.info.plan.forEach(({name}, position) => {
    const planned = [...slice.trials(position)]
    const report = shard.result.endpoints.find((e) => e.name === name)
    if (!report) {
      if (planned.length === 0) return
      throw new UsageError(`${shard.file}: endpoint ${name} is missing; shard ${index}/${total} plans its trials ${planned.join(', ')}`)
    }
    if (report.aborted) return
    if (report.conformance && !slice.runsConformance(position)) {
      throw new UsageError(`${shard.file}: endpoint ${name} has profile set results, but shard ${index}/${total} does not run its rules (another shard does); the file was cut or changed`)
    }
    const ids = report.trials.map((t) => t.id)
    if (!isDeepStrictEqual(ids, planned)) {
      throw new UsageError(`${shard.file}: endpoint ${name} has trials ${ids.join(', ') || 'none'}, but shard ${index}/${total} plans ${planned.join(', ')}; the file was cut or changed`)
    }
  })
}

/** One endpoint judged over the trials of every shard that ran some of them. */
function mergeEndpoint(name: string, shards: Shard[]): EndpointReport {
  const parts = shards.flatMap((s) => s.result.endpoints.filter((e) => e.name === name).map((report) => ({file: s.file, report})))
  if (!parts[0]) throw new UsageError(`endpoint ${name}: no shard ran it (${shards.map((s) => s.file).join(', ')}); give the --json files of every shard of one run`)
  const head = parts[0].report
  const aborted = parts.find((p) => p.report.aborted)?.report.aborted
  if (aborted !== undefined) return abortedReport(head, aborted)
  const oracles = new Set(parts.map((p) => p.report.oracle))
  if (oracles.size > 1) {
    const said = parts.map((p) => `${p.file}: ${p.report.oracle}`).join(', ')
    throw new EnvironmentError('FL_MERGE_ORACLE', `endpoint ${name}: the shards' clean baselines chose different oracles (${said}); the effect probe answered differently on each machine, so run the shards again`)
  }
  const trials = parts.flatMap((p) => p.report.trials).sort((a, b) => a.id - b.id)
  const note = parts.find((p) => p.report.baselineNote !== undefined)?.report.baselineNote
  if (head.oracle === 'none') return abortedReport(head, 'no clean baseline')
  const judged = judgeEndpoint(head, head.oracle, trials, note)
  const conformance = parts.find((p) => p.report.conformance)?.report.conformance
  const shortfall = conformance ? conformanceShortfall(conformance) : undefined
  return {
    ...judged,
    met: judged.met && shortfall === undefined,
    unmetReason: judged.unmetReason ?? shortfall,
    ...mergeShrink(judged.breaches, parts.map((p) => p.report)),
    ...(conformance ? {conformance} : {}),
  }
}
