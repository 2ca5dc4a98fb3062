import type {ProxyEvent} from '../events/event-log.js'
import type {CheckResult, EndpointReport} from './check-result.js'
import type {CheckJson} from './json-result.js'
import type {TrialResult} from './trial-result.js'

type EndpointJson = CheckJson['endpoints'][number]

/**
 * A saved `--json` result as the check result it was made from, for `faultline report` and
 * `faultline merge`. Everything the verdicts and the reports read comes back unchanged: minimal
 * cases and shrinking cost, profile set results, and each trial's event timeline where the
 * document has it (the trial of a breach, and the example trial of an inconclusive group);
 * other trials come back without one, as a run keeps none for them (trial-timelines.ts).
 * Durations come back rounded to the millisecond, as the document has them.
 */
export function fromJsonResult(json: CheckJson): CheckResult {
  const result: CheckResult = {
    seed: json.seed,
    ok: json.ok,
    scenario: json.scenario,
    durationMs: json.durationMs,
    restarts: json.restarts,
    endpoints: json.endpoints.map(endpointFromJson),
  }
  if (json.serverLog !== undefined) result.serverLog = json.serverLog
  if (json.aborted !== undefined) result.aborted = json.aborted
  if (json.shard !== undefined) result.shard = json.shard
  return result
}

function endpointFromJson(e: EndpointJson): EndpointReport {
  const timelines = new Map<number, ProxyEvent[]>()
  for (const breach of Object.values(e.breaches)) timelines.set(breach.trial, breach.timeline)
  const report: EndpointReport = {
    name: e.name,
    expect: e.expect,
    met: e.met,
    oracle: e.oracle,
    inferred: e.inferred,
    contracts: e.contracts,
    breaches: e.breaches,
    evidence: e.evidence,
    inconclusive: e.inconclusive,
    variants: e.variants,
    trials: e.trials.map((t) => trialFromJson(t, timelines.get(t.id))),
    notInjected: e.notInjected,
    errors: e.errors,
  }
  if (e.unmetReason !== undefined) report.unmetReason = e.unmetReason
  if (e.aborted !== undefined) report.aborted = e.aborted
  if (e.baselineNote !== undefined) report.baselineNote = e.baselineNote
  // Shrinking was on when the document has its cost (it writes `minimal: {}` either way).
  if (e.shrink !== undefined) report.shrink = e.shrink
  if (e.shrink !== undefined || Object.keys(e.minimal).length > 0) report.minimal = e.minimal
  if (e.conformance !== undefined) report.conformance = e.conformance
  return report
}

function trialFromJson(t: EndpointJson['trials'][number], breachTimeline: ProxyEvent[] | undefined): TrialResult {
  const {error, unmeasurableEffect, timeline, ...rest} = t as EndpointJson['trials'][number] & {timeline?: ProxyEvent[]}
  const trial: TrialResult = {...rest}
  const kept = breachTimeline ?? timeline
  if (kept !== undefined) trial.timeline = kept
  if (error !== undefined) trial.error = error
  if (unmeasurableEffect !== undefined) trial.unmeasurableEffect = unmeasurableEffect
  return trial
}
