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

export interface Verdict {
  contracts: Contracts
  breaches: Partial<Record<ContractName, Breach>>
  /** Trials behind each contract's state (the ones that tested it). */
  evidence: Record<ContractName, number[]>
  /** Reply-comparison verdicts are inferred, not measured. */
  inferred: boolean
  /** Did the endpoint meet its `expect`? Unknown never meets an expectation. */
  met: boolean
  unmetReason?: string
}

const EXPECTATION: Record<Contract, ContractName | undefined> = {
  'at-least-once': 'atLeastOnce',
  'at-most-once': 'atMostOnce',
  'exactly-once': 'exactlyOnce',
  idempotent: 'idempotent',
  none: undefined,
}

export const CONTRACT_LABELS: Record<ContractName, string> = {
  atLeastOnce: 'at-least-once',
  atMostOnce: 'at-most-once',
  exactlyOnce: 'exactly-once',
  idempotent: 'idempotent',
  replyConsistent: 'reply-consistent',
}

/** One contract judged over trials: each trial either supports it, breaks it (with a reason) or says nothing. */
function judge(trials: TrialResult[], test: (t: TrialResult) => string | boolean | undefined) {
  const evidence: number[] = []
  let breach: Breach | undefined
  for (const trial of trials) {
    const said = test(trial)
    if (said === undefined) continue
    evidence.push(trial.id)
    if (typeof said === 'string' && !breach) breach = {trial: trial.id, reason: said}
  }
  const state: ContractState = breach ? 'broken' : evidence.length > 0 ? 'holds' : 'unknown'
  return {state, breach, evidence}
}

/**
 * DESIGN §4. Only injected trials that were measured count. A test returns undefined when
 * the trial says nothing about the contract, true when it supports it, a reason when it breaks it.
 */
export function computeVerdict(oracle: OracleKind, trials: TrialResult[], expect: Contract): Verdict {
  const counted = trials.filter((t) => t.injected && t.error === undefined)

  const atLeastOnce = judge(counted, (t) => {
    if (oracle === 'reply' || t.effectVisible === null) return undefined
    if (t.outcome === 'ok' && t.effectAfterRestart === false) {
      return `lost acknowledged effect: the client saw ok, then the server crashed and restarted without the effect`
    }
    if (t.outcome === 'ok') return t.effectVisible ? true : `lost acknowledged effect: the client saw ok but the operation never took effect`
    if (t.stoppedEarly && !t.effectVisible) {
      return `the server answered a retry with a final error (${t.outcome}) while the operation had not taken effect and retries were still allowed`
    }
    return undefined
  })

  const atMostOnce = judge(counted, (t) => {
    if (oracle === 'count') {
      if (t.executions === null) return undefined
      // The crash erased the first execution: what ran after it was no duplicate of anything.
      if (t.effectSurvivedCrash === false && t.executions <= 1) return undefined
      return t.executions > 1 ? `executed ${t.executions} times after ${t.deliveries} deliveries` : true
    }
    if (oracle === 'reply') {
      // Inferred: several complete replies to one operation, compared.
      const okReplies = t.replies.filter((r) => r.ok)
      if (okReplies.length < 2) return undefined
      const first = okReplies[0] as (typeof okReplies)[number]
      const differing = okReplies.find((r) => !sameJson(r.body, first.body))
      return differing ? `${replyLabel(differing)} got a different reply than ${replyLabel(first)}, which suggests a second execution` : true
    }
    return undefined
  })

  const idempotent = judge(counted, (t) => {
    if (oracle === 'reply' || t.stateMatchesClean === null || t.deliveries < 2) return undefined
    if (t.effectSurvivedCrash === false && t.stateMatchesClean) return undefined
    // Nothing took effect at all: the duplicates did no harm, the operation simply failed.
    if (t.effectVisible === false) return undefined
    return t.stateMatchesClean ? true : `${t.deliveries} deliveries left a different state than one clean execution`
  })

  const replyConsistent = judge(counted, (t) => {
    if (t.replies.length < 2) return undefined
    const first = t.replies[0] as (typeof t.replies)[number]
    const other = t.replies.find((r) => r.status !== first.status || !sameJson(r.body, first.body))
    if (!other) return true
    return `${replyLabel(other)} got ${describeReply(other)} but ${replyLabel(first)} got ${describeReply(first)}`
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

  const wanted = EXPECTATION[expect]
  const wantedState = wanted ? contracts[wanted] : 'holds'
  return {
    contracts,
    breaches,
    evidence: {
      atLeastOnce: atLeastOnce.evidence,
      atMostOnce: atMostOnce.evidence,
      exactlyOnce: [...new Set([...atLeastOnce.evidence, ...atMostOnce.evidence])].sort((a, b) => a - b),
      idempotent: idempotent.evidence,
      replyConsistent: replyConsistent.evidence,
    },
    inferred: oracle === 'reply',
    met: wantedState === 'holds',
    unmetReason:
      wantedState === 'holds' ? undefined : wantedState === 'broken' ? `${expect} is broken` : `${expect} was not tested by any injected trial`,
  }
}

/** `attempt 2`, or `attempt 1 (duplicate delivery 2)` for a proxy-made copy. */
function replyLabel(reply: {attempt?: number; delivery: number}): string {
  const attempt = reply.attempt !== undefined ? `attempt ${reply.attempt}` : 'the request'
  return reply.delivery > 1 ? `${attempt} (duplicate delivery ${reply.delivery})` : attempt
}

function describeReply(reply: {status: number | string; body: unknown}): string {
  const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)
  return `${reply.status} ${body.length > 80 ? `${body.slice(0, 77)}...` : body}`
}
