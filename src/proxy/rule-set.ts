import {deriveRandom, type Random} from '../random.js'
import {resolveFault, type FaultAction, type FaultSpec} from './fault.js'
import {matchesRequest, type RequestInfo, type RuleMatch} from './request-match.js'

/**
 * One targeting rule: which requests (match), which occurrence (nth) or how often
 * (probability), and what to do (a concrete action, or a profile fault resolved per firing).
 */
export interface FaultRule {
  id: string
  match?: RuleMatch
  /** Fire only on the nth matching request (1-based), counted per scope. */
  nth?: number
  /** Probability of firing on a request that matched (default 1). */
  probability?: number
  /** Stop after firing this many times (default unlimited; 1 when nth is set). */
  limit?: number
  /** `trial`: nth and limit count per trial id; `global`: across all requests. */
  scope?: 'global' | 'trial'
  action: FaultAction | {profileFault: FaultSpec; clientTimeout: number}
}

export interface FaultDecision {
  rule: FaultRule
  action: FaultAction
}

interface RuleState {
  rule: FaultRule
  random: Random
  seen: Map<string, number>
  fired: Map<string, number>
}

/**
 * The live set of rules a proxy consults for each request. Rules can be added and removed
 * while traffic flows; each draws from its own seeded source so decisions do not depend
 * on what other rules saw.
 */
export class RuleSet {
  private readonly states = new Map<string, RuleState>()
  constructor(private readonly seed: number) {}

  add(rule: FaultRule): void {
    this.states.set(rule.id, {rule, random: deriveRandom(this.seed, 'rule', rule.id), seen: new Map(), fired: new Map()})
  }

  remove(id: string): boolean {
    return this.states.delete(id)
  }

  clear(): void {
    this.states.clear()
  }

  /** How many rules are in force (0: every request is forwarded untouched). */
  get size(): number {
    return this.states.size
  }

  get rules(): FaultRule[] {
    return [...this.states.values()].map((s) => s.rule)
  }

  /** The first rule that fires for this request, or undefined. Counts every match. */
  decide(info: RequestInfo): FaultDecision | undefined {
    for (const state of this.states.values()) {
      const {rule} = state
      if (!matchesRequest(rule.match, info)) continue
      const scope = rule.scope === 'trial' ? (info.trial ?? '') : ''
      const seen = (state.seen.get(scope) ?? 0) + 1
      state.seen.set(scope, seen)
      if (rule.nth !== undefined && seen !== rule.nth) continue
      const fired = state.fired.get(scope) ?? 0
      const limit = rule.limit ?? (rule.nth !== undefined ? 1 : Infinity)
      if (fired >= limit) continue
      if (!state.random.chance(rule.probability ?? 1)) continue
      state.fired.set(scope, fired + 1)
      const action =
        'profileFault' in rule.action
          ? resolveFault(rule.action.profileFault, state.random, rule.action.clientTimeout)
          : rule.action
      return {rule, action}
    }
    return undefined
  }
}
