import type {Endpoint} from '../scenario/types.js'
import type {EndpointReport} from './check-result.js'
import type {OracleKind} from './oracle.js'
import type {TrialResult} from './trial-result.js'
import {computeVerdict, type ContractName} from './verdict.js'

/**
 * An endpoint's report from its measured trials (in trial order): the verdict, each breach
 * with its trial's fault, timeline and replay line, and the trials that counted for nothing.
 * A run judges its endpoints with it, and `faultline merge` judges the trials of all shards.
 */
export function judgeEndpoint(endpoint: Pick<Endpoint, 'name' | 'expect'>, oracle: OracleKind, trials: TrialResult[], baselineNote?: string): EndpointReport {
  const verdict = computeVerdict(oracle, trials, endpoint.expect)
  const breaches: EndpointReport['breaches'] = {}
  for (const [name, breach] of Object.entries(verdict.breaches)) {
    const trial = trials.find((t) => t.id === breach.trial)
    if (!trial) continue
    breaches[name as ContractName] = {trial: breach.trial, ...(trial.candidate === undefined ? {} : {candidate: trial.candidate}), reason: breach.reason, fault: trial.fault, timeline: trial.timeline ?? [], replay: trial.replay}
  }
  return {
    name: endpoint.name,
    expect: endpoint.expect,
    met: verdict.met,
    unmetReason: verdict.unmetReason,
    oracle,
    inferred: verdict.inferred,
    contracts: verdict.contracts,
    breaches,
    evidence: verdict.evidence,
    inconclusive: verdict.inconclusive,
    variants: verdict.variants,
    baselineNote,
    trials,
    notInjected: trials.filter((t) => !t.injected).map((t) => t.id),
    errors: trials.filter((t) => t.error !== undefined).map((t) => ({trial: t.id, error: t.error as string})),
  }
}
