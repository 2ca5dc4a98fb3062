import type {ProxyEvent} from '../events/event-log.js'
import type {OracleKind} from './oracle.js'
import type {MeasuredTrial, TrialResult} from './trial-result.js'
import {contractRules, countsForVerdict, type RuledContract} from './verdict.js'

/**
 * Which trials' event timelines an endpoint's result keeps. A timeline is read after its
 * trial only as evidence: the first trial (lowest number) that broke each contract (the
 * breach, its reports and diagrams, shrinking, merge) and the first trial of each inconclusive
 * reason (the group's example). As each trial is measured, in whatever order the trials
 * finish, this applies the contract rules the verdict will apply; the trial keeps its timeline
 * only while it is the lowest-numbered one of some breach or reason so far, and gives it up
 * when a lower-numbered trial takes its place. Every other trial is kept as its facts alone,
 * so a run holds a bounded number of timelines however many trials it runs.
 */
export class TrialTimelines {
  private readonly rules: Array<[RuledContract, ReturnType<typeof contractRules>[RuledContract]]>
  /** Breach or inconclusive reason → the lowest-numbered trial showing it so far. */
  private readonly firsts = new Map<string, number>()
  /** Timelines of the trials that are first for some breach or reason, by trial number. */
  private readonly kept = new Map<number, ProxyEvent[]>()

  constructor(oracle: OracleKind) {
    this.rules = Object.entries(contractRules(oracle)) as typeof this.rules
  }

  /** A just-measured trial as the result keeps it: its facts, without the timeline (which stays here if it is evidence). */
  keep(measured: MeasuredTrial): TrialResult {
    const {timeline, ...facts} = measured
    if (!countsForVerdict(measured)) return facts
    for (const slot of this.slots(measured)) {
      const first = this.firsts.get(slot)
      if (first !== undefined && first <= measured.id) continue
      this.firsts.set(slot, measured.id)
      this.kept.set(measured.id, timeline)
      if (first !== undefined) this.release(first)
    }
    return facts
  }

  /** The trials with their kept timelines put back, in the same order; ready for the verdict. */
  attach(trials: readonly TrialResult[]): TrialResult[] {
    return trials.map((t) => {
      const timeline = this.kept.get(t.id)
      return timeline ? {...t, timeline} : t
    })
  }

  /** How many timelines are held now (at most one per contract plus one per inconclusive reason). */
  get size(): number {
    return this.kept.size
  }

  /** What the trial is evidence of: each contract it breaks, each inconclusive reason it gives. */
  private slots(trial: MeasuredTrial): string[] {
    const slots: string[] = []
    for (const [name, rule] of this.rules) {
      const said = rule(trial)
      if (typeof said !== 'object') continue
      slots.push('breaks' in said ? `breach ${name}` : `inconclusive ${said.inconclusive}`)
    }
    return slots
  }

  /** Drop a trial's timeline once it is first for nothing any more. */
  private release(id: number): void {
    for (const holder of this.firsts.values()) if (holder === id) return
    this.kept.delete(id)
  }
}
