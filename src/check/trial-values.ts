import {randomUUID} from 'node:crypto'
import {renderTemplate, type TemplateVars} from '../scenario/template.js'
import {trialTag, type PlannedTrial} from './plan.js'

/** The fresh template values of one trial, so trials never see each other's effects. */
export interface TrialValues {
  key: string
  requestId: string
  /** Render a request template for one attempt (`{{attempt}}`); every `{{uuid}}` is new. */
  render(template: unknown, attempt: number): unknown
  /** Template values of this trial, replaced by placeholders when comparing JSON. */
  substitutions(): Array<readonly [string, string]>
}

/** `{{key}}` unique per run, endpoint, trial and baseline try; `{{requestId}}` one per operation. */
export function trialValues(runId: string, trial: PlannedTrial, baseVars: Pick<TemplateVars, 'env' | 'port'>): TrialValues {
  const key = `fl-${runId}-${trial.endpointIndex}-${trialTag(trial)}`
  const requestId = randomUUID()
  // Every {{uuid}} this trial renders, so comparisons across trials can ignore them.
  const uuids: string[] = []
  const uuid = () => {
    const value = randomUUID()
    uuids.push(value)
    return value
  }
  const vars = (attempt: number): TemplateVars => ({
    ...baseVars,
    uuid,
    key,
    requestId,
    trial: String(trial.id),
    attempt,
  })
  return {
    key,
    requestId,
    render: (template, attempt) => renderTemplate(template, vars(attempt)),
    substitutions: () => [['key', key], ['requestId', requestId], ...uuids.map((u) => ['uuid', u] as const)],
  }
}
