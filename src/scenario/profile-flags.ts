import {UsageError} from '../errors.js'
import {unsupportedFault} from './fault-support.js'
import {checkFault, type FaultProblems, type RawFault} from './profile-fault.js'
import {builtinProfileCatalog, FAULT_KINDS, loadProfileFile, profileNames} from './profiles.js'
import type {FaultType, ProfileFault, RequestMatch} from './types.js'

/** The fault types `faultline proxy --fault` takes: crash faults need a server faultline runs, toxics a Toxiproxy server. */
export const STANDALONE_FAULT_TYPES: readonly FaultType[] = ['drop-request', 'drop-reply', 'duplicate', 'delay', 'reset', 'client-abort', 'status']

/** The flags of `faultline proxy` that choose its faults, as the command line wrote them. */
export interface FaultFlags {
  fault?: string
  mode?: string
  phase?: string
  delay?: string
  nth?: number
  probability?: string
  method?: string
  path?: string
  header?: string[]
  profile?: string[]
  profiles?: string
}

/** One fault rule of the standalone proxy: a checked profile fault and the requests it may hit. */
export interface StandaloneFaultRule {
  fault: ProfileFault
  match?: RequestMatch
  nth?: number
  probability?: number
}

/** The flag that sets each fault field, for problems worded at the command line. */
const FIELD_FLAGS: Partial<Record<string, keyof FaultFlags>> = {mode: 'mode', phase: 'phase', delay: 'delay'}

/** Problems of the `--fault` fault, worded at the flag that set the field. */
function flagProblems(flags: FaultFlags): FaultProblems {
  const flagged = (field: string): string => {
    const flag = FIELD_FLAGS[field]
    return flag ? `--${flag} ${String(flags[flag])}` : `--fault ${flags.fault}`
  }
  return {
    field: (field, message) => new UsageError(`${flagged(field)}: ${message}`),
    whole: (message, needs) =>
      needs === 'delay' ? new UsageError(`--fault ${flags.fault} needs --delay, e.g. --delay 500ms`) : new UsageError(`--fault ${flags.fault}: ${message}`),
  }
}

/** The standalone proxy speaks HTTP: a fault only other protocols take (a gRPC status) is bad usage. */
function refuseUnlessHttp(fault: ProfileFault, flag: string): void {
  const unsupported = unsupportedFault(fault, 'http')
  if (unsupported) throw new UsageError(`${flag}: ${unsupported.what} apply to ${unsupported.protocols.join(', ')} targets only; this proxy speaks http`)
}

/** The fault `--fault` and its field flags describe, checked as a profile file's fault is (FAULT_KINDS). */
function flagFault(flags: FaultFlags & {fault: string}): ProfileFault {
  const type = flags.fault as FaultType
  if (!STANDALONE_FAULT_TYPES.includes(type)) throw new UsageError(`--fault ${flags.fault}: must be one of ${STANDALONE_FAULT_TYPES.join(', ')}`)
  const raw: RawFault = {type}
  if (flags.mode) raw.mode = flags.mode
  if (flags.phase) raw.phase = flags.phase
  if (flags.delay) raw.delay = flags.delay.includes('..') ? flags.delay.split('..') : flags.delay
  const fault = checkFault(flagProblems(flags), raw, FAULT_KINDS[type])
  refuseUnlessHttp(fault, `--fault ${type}`)
  return fault
}

/** Which requests the selector flags pick (none: every request). */
function matchFromFlags(flags: FaultFlags): RequestMatch | undefined {
  const match: RequestMatch = {}
  if (flags.method) match.method = flags.method.toUpperCase()
  if (flags.path) match.path = flags.path
  for (const header of flags.header ?? []) {
    const colon = header.indexOf(':')
    if (colon <= 0) throw new UsageError(`--header ${header}: write it as "Name: value-glob", e.g. --header "content-type: application/json*"`)
    match.headers = {...match.headers, [header.slice(0, colon).trim().toLowerCase()]: header.slice(colon + 1).trim()}
  }
  return Object.keys(match).length > 0 ? match : undefined
}

function probabilityFromFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const probability = Number(text)
  if (!Number.isFinite(probability) || probability < 0 || probability > 1) throw new UsageError(`--probability ${text}: must be a number from 0 to 1, e.g. 0.25`)
  return probability
}

/** Every fault of the `--profile` profiles (built-in or from `--profiles`), with the selector flags over their own. */
async function profileRules(flags: FaultFlags, match: RequestMatch | undefined, probability: number | undefined): Promise<StandaloneFaultRule[]> {
  const catalog = builtinProfileCatalog()
  if (flags.profiles) for (const p of await loadProfileFile(flags.profiles, {known: catalog})) catalog.set(p.name, p)
  const rules: StandaloneFaultRule[] = []
  for (const name of flags.profile ?? []) {
    const profile = catalog.get(name)
    if (!profile) throw new UsageError(`--profile ${name}: no such profile; known: ${profileNames(catalog).join(', ')}`)
    for (const fault of profile.faults) {
      if (fault.type === 'crash-before-reply' || fault.type === 'crash-after-reply') {
        throw new UsageError(`--profile ${name}: crash faults need a server faultline runs; use them with faultline check`)
      }
      if (FAULT_KINDS[fault.type].replicas) {
        throw new UsageError(`--profile ${name}: ${fault.type} faults act across replicated servers faultline runs; use them with faultline check and target.replicas`)
      }
      refuseUnlessHttp(fault, `--profile ${name}`)
      rules.push({fault, match: match ?? fault.match, nth: flags.nth ?? fault.nth, probability: probability ?? fault.probability})
    }
  }
  return rules
}

/**
 * The standalone proxy's fault rules the flags describe: one from `--fault`, plus every fault
 * of each `--profile`. Bad flags are a UsageError naming the flag and what to write instead.
 */
export async function faultsFromFlags(flags: FaultFlags): Promise<StandaloneFaultRule[]> {
  const match = matchFromFlags(flags)
  const probability = probabilityFromFlag(flags.probability)
  const rules: StandaloneFaultRule[] = []
  if (flags.fault) {
    rules.push({fault: flagFault({...flags, fault: flags.fault}), match, nth: flags.nth, probability})
  } else if ((flags.nth !== undefined || probability !== undefined || match) && !flags.profile) {
    throw new UsageError('--nth, --probability, --method, --path and --header select requests for --fault; add --fault TYPE')
  }
  return [...rules, ...(await profileRules(flags, match, probability))]
}
