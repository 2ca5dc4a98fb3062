import type {Contract} from '../scenario/types.js'
import type {OracleKind} from './oracle.js'
import {sameJson} from './normalize.js'
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

/** What one trial says about one contract: it supports it, breaks it, could not test it, or (undefined) says nothing. */
type Judgement = 'supports' | {breaks: string} | {inconclusive: string} | undefined

interface Judged {
  state: ContractState
  breach?: Breach
  evidence: number[]
  inconclusive: Inconclusive[]
}

/** One contract judged over trials. A contract backed only by inconclusive trials is unknown. */
function judge(trials: TrialResult[], test: (t: TrialResult) => Judgement): Judged {
  const evidence: number[] = []
  const inconclusive: Inconclusive[] = []
  let breach: Breach | undefined
  for (const trial of trials) {
    const said = test(trial)
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

/**
 * Did the server really receive a second delivery of the operation — after a crash, one that
 * reached the restarted server? Only then can a trial say anything about duplicates
 * (at-most-once, idempotent). Returns why not, or undefined when it did.
 */
export function missingSecondDelivery(t: TrialResult): string | undefined {
  if (t.deliveries < 2) {
    return t.deliveries === 0 ? 'no delivery reached the server' : 'only one delivery reached the server: no retry or duplicate arrived'
  }
  if (t.deliveriesAfterRestart === 0) return 'no retry reached the restarted server'
  return undefined
}

/**
 * For duplicate-sensitive contracts: a trial without a second delivery is inconclusive when its
 * fault was meant to cause one, and says nothing otherwise (a dropped request is no duplicate test).
 */
function withoutDuplicate(t: TrialResult): Judgement | null {
  const missing = missingSecondDelivery(t)
  if (missing === undefined) return null
  return t.seeksSecondDelivery ? {inconclusive: missing} : undefined
}

const ERASED = 'the crash erased the first execution, so what reached the restarted server was no duplicate of anything'

/**
 * Per-contract rules. Only injected trials that were measured count. Every rule judges a trial
 * against its own readings (never another trial's leftovers).
 */
export function computeVerdict(oracle: OracleKind, trials: TrialResult[], expect: readonly Contract[]): Verdict {
  const counted = trials.filter((t) => t.injected && t.error === undefined)

  const atLeastOnce = judge(counted, (t) => {
    if (oracle === 'reply') return undefined
    if (t.outcome === 'ok' && t.effectAfterRestart === false) {
      return {breaks: `lost acknowledged effect: the client saw ok, then the server crashed and restarted without the effect`}
    }
    if (t.effectVisible === null) {
      const wouldTest = t.outcome === 'ok' || (t.stoppedEarly && t.outcome === 'failed')
      return wouldTest ? {inconclusive: t.unmeasurableEffect ?? 'the effect probe could not tell whether the operation took effect'} : undefined
    }
    if (t.outcome === 'ok') return t.effectVisible ? 'supports' : {breaks: `lost acknowledged effect: the client saw ok but the operation never took effect`}
    if (t.stoppedEarly && !t.effectVisible) {
      return {breaks: `the server answered a retry with a final error (${t.outcome}) while the operation had not taken effect and retries were still allowed`}
    }
    return undefined
  })

  const atMostOnce = judge(counted, (t) => {
    if (oracle === 'count') {
      if (t.executions === null) return undefined
      // More than one execution is a breach however it came about.
      if (t.executions > 1) return {breaks: `executed ${t.executions} times after ${t.deliveries} deliveries`}
      const missing = withoutDuplicate(t)
      if (missing !== null) return missing
      if (t.effectSurvivedCrash === false) return {inconclusive: ERASED}
      return 'supports'
    }
    if (oracle === 'reply') {
      const missing = withoutDuplicate(t)
      if (missing !== null) return missing
      // Inferred: several complete replies to one operation, compared.
      const okReplies = t.replies.filter((r) => r.ok)
      if (okReplies.length < 2) return {inconclusive: 'fewer than two successful replies to compare'}
      const first = okReplies[0] as (typeof okReplies)[number]
      const differing = okReplies.find((r) => !sameJson(r.body, first.body))
      return differing ? {breaks: `${replyLabel(differing)} got a different reply than ${replyLabel(first)}, which suggests a second execution`} : 'supports'
    }
    return undefined
  })

  const idempotent = judge(counted, (t) => {
    if (oracle === 'reply' || t.stateMatchesClean === null) return undefined
    const missing = withoutDuplicate(t)
    if (missing !== null) return missing
    if (t.effectSurvivedCrash === false && t.stateMatchesClean) return {inconclusive: ERASED}
    // Nothing took effect at all: the duplicates did no harm, the operation simply failed.
    if (t.effectVisible === false) return undefined
    return t.stateMatchesClean ? 'supports' : {breaks: `${t.deliveries} deliveries left a different state than one clean execution`}
  })

  const replyConsistent = judge(counted, (t) => {
    if (t.replies.length < 2) return t.seeksSecondDelivery ? {inconclusive: 'fewer than two replies to compare'} : undefined
    const first = t.replies[0] as (typeof t.replies)[number]
    const other = t.replies.find((r) => r.status !== first.status || !sameJson(r.body, first.body))
    if (!other) return 'supports'
    return {breaks: `${replyLabel(other)} got ${describeReply(other)} but ${replyLabel(first)} got ${describeReply(first)}`}
  })

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

/** `attempt 2`, or `attempt 1 (duplicate delivery 2)` for a proxy-made copy. */
function replyLabel(reply: {attempt?: number; delivery: number}): string {
  const attempt = reply.attempt !== undefined ? `attempt ${reply.attempt}` : 'the request'
  return reply.delivery > 1 ? `${attempt} (duplicate delivery ${reply.delivery})` : attempt
}

/** `200 {"key":"fl-…","value":2}`: the reply as the server sent it, not its normalised form. */
function describeReply(reply: {status: number | string; body: unknown; text?: string}): string {
  const body = reply.text ?? (typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body))
  return `${reply.status} ${body.length > 80 ? `${body.slice(0, 77)}...` : body}`
}
