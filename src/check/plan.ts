import {deriveRandom} from '../random.js'
import {describeFault, resolveFault, type FaultAction} from '../proxy/fault.js'
import type {Endpoint, RemoteToxicSpec, Scenario} from '../scenario/types.js'

export interface PlannedFault {
  action: FaultAction
  /** Which attempt of the operation it hits. */
  attempt: number
  probability: number
}

/** A byte toxic put on a proxy of the scenario's Toxiproxy server for the whole trial. */
export interface PlannedToxic {
  proxy: string
  toxic: RemoteToxicSpec
}

/** One trial of one endpoint: its number, profile and the faults drawn for it. */
export interface PlannedTrial {
  /** 1-based within the endpoint, stable for a seed; 0 is the clean baseline. */
  id: number
  endpoint: Endpoint
  endpointIndex: number
  profile: string
  faults: PlannedFault[]
  /** Toxics on the Toxiproxy server (drawn with their probability at plan time). */
  toxics: PlannedToxic[]
  /** Crash trials stop the whole server, and toxics change a whole proxy: they run alone. */
  exclusive: boolean
}

const CRASHES = new Set(['crash-before-reply', 'crash-after-reply'])

/** The label of a trial's faults, as shown in tables and JSON. */
export function faultLabel(trial: PlannedTrial): string {
  const labels = [
    ...trial.faults.map((f) => describeFault(f.action)),
    ...trial.toxics.map((t) => `toxic ${t.toxic.type} on ${t.proxy} (${t.toxic.stream})`),
  ]
  return labels.length === 0 ? 'none' : labels.join(' + ')
}

export function baselineTrial(endpoint: Endpoint, endpointIndex: number): PlannedTrial {
  return {id: 0, endpoint, endpointIndex, profile: 'baseline', faults: [], toxics: [], exclusive: false}
}

/**
 * Every trial of an endpoint, in order: for each of its profiles, `trials` trials. Each
 * trial's choices come from a generator derived from (seed, endpoint name, trial number),
 * so a trial is the same whether it runs alone (`--trial N`) or with all the others.
 */
export function planEndpoint(scenario: Scenario, endpoint: Endpoint, endpointIndex: number, seed: number): PlannedTrial[] {
  const planned: PlannedTrial[] = []
  let id = 0
  for (const profileName of endpoint.profiles) {
    const profile = scenario.profileCatalog.get(profileName)
    if (!profile) throw new Error(`unknown profile ${profileName}`) // validated at load time
    for (let i = 0; i < endpoint.trials; i++) {
      id += 1
      const random = deriveRandom(seed, endpoint.name, id)
      const faults: PlannedFault[] = []
      const toxics: PlannedToxic[] = []
      for (const f of profile.faults) {
        if (f.type === 'toxic') {
          if (f.proxy !== undefined && f.toxic !== undefined && random.chance(f.probability)) toxics.push({proxy: f.proxy, toxic: f.toxic})
          continue
        }
        faults.push({action: resolveFault(f, random, scenario.client.timeout), attempt: f.attempt, probability: f.probability})
      }
      planned.push({
        id,
        endpoint,
        endpointIndex,
        profile: profileName,
        faults,
        toxics,
        exclusive: toxics.length > 0 || faults.some((f) => CRASHES.has(f.action.type)),
      })
    }
  }
  return planned
}
