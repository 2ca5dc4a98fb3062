import type {Contract} from '../scenario/types.js'
import {atLeastOnceRule, atMostOnceRule, idempotentRule, replyConsistentRule, type ContractRule} from './contract-rules.js'
import type {OracleKind} from './oracle.js'
import type {TrialResult} from './trial-result.js'

export type ContractState = 'holds' | 'broken' | 'unknown'

export interface Contracts {
  atLeastOnce: ContractState
  atMostOnce: ContractState
  exactlyOnce: ContractState
  idempotent: ContractState
  replyConsistent: ContractState
}

export type ContractName = keyof Contracts

/** Why a contract is broken: the first trial that broke it, in words. */
export interface Breach {
  trial: number
  reason: string
}

/** A trial whose fault fired but that could not test a contract, and why. */
export interface Inconclusive {
  trial: number
  reason: string
}

export interface Verdict {
  contracts: Contracts
  breaches: Partial<Record<ContractName, Breach>>
  /** Trials behind each contract's state (the ones that really tested it). */
  evidence: Record<ContractName, number[]>
  /** Trials that were meant to test a contract but could not (e.g. no second delivery arrived). */
  inconclusive: Record<ContractName, Inconclusive[]>
  /** Per contract, how many of its evidence trials ran each fault variant (`duplicate(concurrent)`: 2). */
  variants: Record<ContractName, Record<string, number>>
  /** Reply-comparison verdicts are inferred, not measured. */
  inferred: boolean
  /** Did the endpoint meet every contract it expects? Unknown never meets an expectation. */
  met: boolean
  unmetReason?: string
}

export const CONTRACT_NAMES: Record<Contract, ContractName> = {
  'at-least-once': 'atLeastOnce',
  'at-most-once': 'atMostOnce',
  'exactly-once': 'exactlyOnce',
  idempotent: 'idempotent',
  'reply-consistent': 'replyConsistent',
}

export const CONTRACT_LABELS: Record<ContractName, string> = {
  atLeastOnce: 'at-least-once',
  atMostOnce: 'at-most-once',
  exactlyOnce: 'exactly-once',
  idempotent: 'idempotent',
  replyConsistent: 'reply-consistent',
}

/** The contracts in the order every report shows them. */
export const CONTRACT_ORDER: readonly ContractName[] = ['atLeastOnce', 'atMostOnce', 'exactlyOnce', 'idempotent', 'replyConsistent']

interface Judged {
  state: ContractState
  breach?: Breach
  evidence: number[]
  inconclusive: Inconclusive[]
}

/** One contract judged over trials. A contract backed only by inconclusive trials is unknown. */
function judge(trials: TrialResult[], rule: ContractRule): Judged {
  const evidence: number[] = []
  const inconclusive: Inconclusive[] = []
  let breach: Breach | undefined
  for (const trial of trials) {
    const said = rule(trial)
    if (said === undefined) continue
    if (typeof said === 'object' && 'inconclusive' in said) {
      inconclusive.push({trial: trial.id, reason: said.inconclusive})
      continue
    }
    evidence.push(trial.id)
    if (typeof said === 'object' && !breach) breach = {trial: trial.id, reason: said.breaks}
  }
  const state: ContractState = breach ? 'broken' : evidence.length > 0 ? 'holds' : 'unknown'
  return {state, breach, evidence, inconclusive}
}

/** The contracts judged by a rule of their own: every one but exactly-once, which combines two of them. */
export type RuledContract = Exclude<ContractName, 'exactlyOnce'>

/** Each ruled contract's rule for an oracle (contract-rules.ts). */
export function contractRules(oracle: OracleKind): Record<RuledContract, ContractRule> {
  return {atLeastOnce: atLeastOnceRule(oracle), atMostOnce: atMostOnceRule(oracle), idempotent: idempotentRule(oracle), replyConsistent: replyConsistentRule}
}

/** Only injected trials that were measured count toward a verdict. */
export function countsForVerdict(t: TrialResult): boolean {
  return t.injected && t.error === undefined
}

/**
 * The endpoint's verdict from its trials: each contract judged by its rule
 * (contract-rules.ts), exactly-once from the two it combines. Only injected trials that were
 * measured count.
 */
export function computeVerdict(oracle: OracleKind, trials: TrialResult[], expect: readonly Contract[]): Verdict {
  const counted = trials.filter(countsForVerdict)
  const rules = contractRules(oracle)

  const atLeastOnce = judge(counted, rules.atLeastOnce)
  const atMostOnce = judge(counted, rules.atMostOnce)
  const idempotent = judge(counted, rules.idempotent)
  const replyConsistent = judge(counted, rules.replyConsistent)

  const exactlyOnceState: ContractState =
    atLeastOnce.state === 'broken' || atMostOnce.state === 'broken'
      ? 'broken'
      : atLeastOnce.state === 'holds' && atMostOnce.state === 'holds'
        ? 'holds'
        : 'unknown'
  const exactlyBreach = atMostOnce.breach ?? atLeastOnce.breach
  const contracts: Contracts = {
    atLeastOnce: atLeastOnce.state,
    atMostOnce: atMostOnce.state,
    exactlyOnce: exactlyOnceState,
    idempotent: idempotent.state,
    replyConsistent: replyConsistent.state,
  }
  const breaches: Verdict['breaches'] = {}
  if (atLeastOnce.breach) breaches.atLeastOnce = atLeastOnce.breach
  if (atMostOnce.breach) breaches.atMostOnce = atMostOnce.breach
  if (exactlyOnceState === 'broken' && exactlyBreach) breaches.exactlyOnce = exactlyBreach
  if (idempotent.breach) breaches.idempotent = idempotent.breach
  if (replyConsistent.breach) breaches.replyConsistent = replyConsistent.breach

  const evidence: Record<ContractName, number[]> = {
    atLeastOnce: atLeastOnce.evidence,
    atMostOnce: atMostOnce.evidence,
    exactlyOnce: [...new Set([...atLeastOnce.evidence, ...atMostOnce.evidence])].sort((a, b) => a - b),
    idempotent: idempotent.evidence,
    replyConsistent: replyConsistent.evidence,
  }
  const inconclusive: Record<ContractName, Inconclusive[]> = {
    atLeastOnce: atLeastOnce.inconclusive,
    atMostOnce: atMostOnce.inconclusive,
    exactlyOnce: mergeInconclusive(atLeastOnce.inconclusive, atMostOnce.inconclusive),
    idempotent: idempotent.inconclusive,
    replyConsistent: replyConsistent.inconclusive,
  }
  const byId = new Map(trials.map((t) => [t.id, t]))
  const variants = Object.fromEntries(
    CONTRACT_ORDER.map((name) => [name, countVariants(evidence[name].map((id) => byId.get(id)?.variant ?? 'unknown'))]),
  ) as Record<ContractName, Record<string, number>>

  const unmet = expect.filter((c) => contracts[CONTRACT_NAMES[c]] !== 'holds')
  return {
    contracts,
    breaches,
    evidence,
    inconclusive,
    variants,
    inferred: oracle === 'reply',
    met: unmet.length === 0,
    unmetReason: unmet.length === 0 ? undefined : unmet.map((c) => describeUnmet(c, contracts[CONTRACT_NAMES[c]], inconclusive[CONTRACT_NAMES[c]].length)).join('; '),
  }
}

function describeUnmet(contract: Contract, state: ContractState, inconclusiveCount: number): string {
  if (state === 'broken') return `${contract} is broken`
  if (inconclusiveCount > 0) return `${contract} is unknown: ${inconclusiveCount} trial${inconclusiveCount === 1 ? ' was' : 's were'} inconclusive and none tested it`
  return `${contract} was not tested by any injected trial`
}

function mergeInconclusive(a: Inconclusive[], b: Inconclusive[]): Inconclusive[] {
  const seen = new Set<number>()
  return [...a, ...b].filter((i) => !seen.has(i.trial) && seen.add(i.trial)).sort((x, y) => x.trial - y.trial)
}

function countVariants(labels: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1
  return counts
}
