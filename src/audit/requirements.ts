import {UsageError} from '../errors.js'
import {didYouMean} from '../scenario/validate.js'
import {FINDING_NAMES, type FindingName, type RouteFindings} from './findings.js'

/** Findings `--require` accepts: every finding with a wanted answer (measurements have none). */
export const REQUIRABLE: readonly FindingName[] = FINDING_NAMES.filter((n) => n !== 'attempt-cap' && n !== 'backoff')

/** Parse `--require a,b`; an unknown name is bad usage naming the valid ones. */
export function parseRequirements(text: string | undefined): FindingName[] {
  if (text === undefined) return []
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const name of names) {
    if (!(REQUIRABLE as readonly string[]).includes(name)) {
      const guess = didYouMean(name, REQUIRABLE as string[])
      throw new UsageError(`--require: unknown rule "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; valid rules: ${REQUIRABLE.join(', ')}`)
    }
  }
  return names as FindingName[]
}

/** One unmet requirement: on which route, and what was found instead. */
export interface UnmetRequirement {
  rule: FindingName
  route: string
  found: string
}

/**
 * A requirement holds on a route when its finding has the wanted answer ('no' for a risk):
 * `sometimes` and `not observed` fail it. With no route at all, every requirement fails.
 */
export function checkRequirements(rules: readonly FindingName[], routes: readonly RouteFindings[]): UnmetRequirement[] {
  const unmet: UnmetRequirement[] = []
  for (const rule of rules) {
    if (routes.length === 0) unmet.push({rule, route: '(no traffic)', found: 'not observed'})
    for (const route of routes) {
      const finding = route.findings.find((f) => f.name === rule)
      if (!finding) unmet.push({rule, route: route.route, found: 'not applicable to this protocol'})
      else if (finding.status !== finding.wanted) unmet.push({rule, route: route.route, found: finding.status})
    }
  }
  return unmet
}

/** `required retries-lost-reply: not observed on POST /orders; …` — one line. */
export function describeUnmet(unmet: readonly UnmetRequirement[]): string {
  return `required ${unmet.map((u) => `${u.rule}: ${u.found} on ${u.route}`).join('; ')}`
}
