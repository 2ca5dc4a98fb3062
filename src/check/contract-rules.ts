import {sameJson} from './normalize.js'
import type {OracleKind} from './oracle.js'
import type {TrialResult} from './trial-result.js'
import {shorten} from './shorten.js'
import {downAtFailover, replicasWhere} from './replica-oracle.js'

/**
 * The rule of each contract: what one trial says about it. Every rule judges a trial against
 * its own readings (never another trial's leftovers). Exactly-once has no rule of its own: it
 * combines at-least-once and at-most-once (verdict.ts).
 */

/** What one trial says about one contract: it supports it, breaks it, could not test it, or (undefined) says nothing. */
export type Judgement = 'supports' | {breaks: string} | {inconclusive: string} | undefined

export type ContractRule = (t: TrialResult) => Judgement

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

/** Every operation the client saw ok took effect, also across a crash; a retry refused with a final error while nothing took effect breaks it too. */
export function atLeastOnceRule(oracle: OracleKind): ContractRule {
  return (t) => {
    if (oracle === 'reply') return undefined
    if (t.replicas && t.outcome === 'ok' && (t.effectAfterRestart === false || t.effectVisible === false)) return {breaks: lostAcrossReplicas(t)}
    if (t.outcome === 'ok' && t.effectAfterRestart === false) {
      const failedOver = t.timeline?.some((e) => e.type === 'supervisor' && e.detail?.action === 'failed-over') === true
      return {
        breaks: failedOver
          ? `lost acknowledged effect: the client saw ok, then the primary crashed and the replica that took over did not have the effect`
          : `lost acknowledged effect: the client saw ok, then the server crashed and restarted without the effect`,
      }
    }
    if (t.effectVisible === null) {
      const wouldTest = t.outcome === 'ok' || (t.stoppedEarly && t.outcome === 'failed') || t.gaveUp !== undefined
      return wouldTest ? {inconclusive: t.unmeasurableEffect ?? 'the effect probe could not tell whether the operation took effect'} : undefined
    }
    if (t.outcome === 'ok') return t.effectVisible ? 'supports' : {breaks: `lost acknowledged effect: the client saw ok but the operation never took effect`}
    // A client command that gave up on an operation that never took effect: the pair lost it.
    if (t.gaveUp !== undefined && !t.effectVisible) return {breaks: `${t.gaveUp} and the operation never took effect`}
    if (t.stoppedEarly && !t.effectVisible) {
      return {breaks: `the server answered a retry with a final error (${t.outcome}) while the operation had not taken effect and retries were still allowed`}
    }
    return undefined
  }
}

/** A lost acknowledged effect under effect.replica any|all, naming the replicas that lack it. */
function lostAcrossReplicas(t: TrialResult): string {
  const {rule} = t.replicas as NonNullable<TrialResult['replicas']>
  if (t.effectAfterRestart === false) {
    if (rule === 'any') return `lost acknowledged effect: the client saw ok, then the primary crashed and no replica read right after the failover had the effect${downAtFailover(t)}`
    const lost = replicasWhere(t, (m) => m.effectAfterRestart === false)
    return `lost acknowledged effect on ${lost}: the client saw ok, then the primary crashed and ${lost} did not have the effect right after the failover${downAtFailover(t)}`
  }
  if (rule === 'any') return 'lost acknowledged effect: the client saw ok but no replica ever had the effect'
  const lost = replicasWhere(t, (m) => m.effectVisible === false)
  return `lost acknowledged effect on ${lost}: the client saw ok but ${lost} never had the effect`
}

/** No operation executed more than once: counted by the count oracle, inferred from differing replies by the reply oracle. */
export function atMostOnceRule(oracle: OracleKind): ContractRule {
  return (t) => {
    if (oracle === 'count') return countedAtMostOnce(t)
    if (oracle === 'reply') return inferredAtMostOnce(t)
    return undefined
  }
}

function countedAtMostOnce(t: TrialResult): Judgement {
  // effect.replica any|all with no replica read: the trial could not count, never a pass.
  if (t.executions === null) return t.replicas && t.unmeasurableEffect !== undefined ? {inconclusive: t.unmeasurableEffect} : undefined
  // More than one execution is a breach however it came about.
  if (t.executions > 1) {
    const on = t.replicas ? ` on ${replicasWhere(t, (m) => (m.executions ?? 0) > 1)}` : ''
    return {breaks: `executed ${t.executions} times${on} after ${t.deliveries} deliveries`}
  }
  const missing = withoutDuplicate(t)
  if (missing !== null) return missing
  if (t.effectSurvivedCrash === false) return {inconclusive: ERASED}
  return 'supports'
}

function inferredAtMostOnce(t: TrialResult): Judgement {
  const missing = withoutDuplicate(t)
  if (missing !== null) return missing
  // Inferred: several complete replies to one operation, compared.
  const okReplies = t.replies.filter((r) => r.ok)
  if (okReplies.length < 2) return {inconclusive: 'fewer than two successful replies to compare'}
  const first = okReplies[0] as (typeof okReplies)[number]
  const differing = okReplies.find((r) => !sameJson(r.body, first.body))
  return differing ? {breaks: `${replyLabel(differing)} got a different reply than ${replyLabel(first)}, which suggests a second execution`} : 'supports'
}

/** The server's duplicates left the state of one clean execution. */
export function idempotentRule(oracle: OracleKind): ContractRule {
  return (t) => {
    if (oracle === 'reply' || t.stateMatchesClean === null) return undefined
    const missing = withoutDuplicate(t)
    if (missing !== null) return missing
    if (t.effectSurvivedCrash === false && t.stateMatchesClean) return {inconclusive: ERASED}
    // Nothing took effect at all: the duplicates did no harm, the operation simply failed.
    if (t.effectVisible === false) return undefined
    if (t.stateMatchesClean) return 'supports'
    const on = t.replicas ? ` on ${replicasWhere(t, (m) => m.stateMatchesClean === false)}` : ''
    return {breaks: `${t.deliveries} deliveries left a different state than one clean execution${on}`}
  }
}

/**
 * Every retry and duplicate got the original reply; with a recorded reply, every reply is
 * also the one the recording got.
 */
export const replyConsistentRule: ContractRule = (t) => {
  const recorded = t.recordedReply
  const unlike = recorded && t.replies.find((r) => r.status !== recorded.status || !sameJson(r.body, recorded.body))
  if (recorded && unlike) {
    return {breaks: `${replyLabel(unlike)} got ${describeReply(unlike)} but the recording got ${describeReply(recorded)}`}
  }
  if (t.replies.length < 2) return t.seeksSecondDelivery ? {inconclusive: 'fewer than two replies to compare'} : undefined
  const first = t.replies[0] as (typeof t.replies)[number]
  const other = t.replies.find((r) => r.status !== first.status || !sameJson(r.body, first.body))
  if (!other) return 'supports'
  return {breaks: `${replyLabel(other)} got ${describeReply(other)} but ${replyLabel(first)} got ${describeReply(first)}`}
}

/** `attempt 2`, or `attempt 1 (duplicate delivery 2)` for a proxy-made copy. */
function replyLabel(reply: {attempt?: number; delivery: number}): string {
  const attempt = reply.attempt !== undefined ? `attempt ${reply.attempt}` : 'the request'
  return reply.delivery > 1 ? `${attempt} (duplicate delivery ${reply.delivery})` : attempt
}

/** `200 {"key":"fl-…","value":2}`: the reply as the server sent it, not its normalised form. */
function describeReply(reply: {status: number | string; body: unknown; text?: string}): string {
  const body = reply.text ?? (typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body))
  return `${reply.status} ${shorten(body, 80)}`
}
