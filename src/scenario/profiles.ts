import {PROFILE_SETS} from './profile-sets.js'
import {ScenarioError} from '../errors.js'
import {GRPC_STATUS_NAMES} from '../grpc/status.js'
import {checkFault, fileFaultProblems, type RawFault} from './profile-fault.js'
import {readYamlFile} from './source.js'
import type {FaultType, Profile, ProfileFault, Protocol} from './types.js'
import {didYouMean, schemaValidator, validateSource} from './validate.js'

/** What each fault type accepts; the one place profile files are checked against. */
export interface FaultKind {
  /** Allowed `mode` values; none means the type takes no mode. */
  modes?: readonly string[]
  /** Allowed `phase` values; none means the type takes no phase. */
  phases?: readonly string[]
  /** Whether `delay` applies (duplicate: only with mode delayed). */
  delay?: boolean
  /** Whether `delayFactor` (a multiple of the client timeout) applies. */
  delayFactor?: boolean
  /** Whether a mode may also be an HTTP status from 400 to 599 (status: 503, 429). */
  httpStatusModes?: boolean
  /** Fields beyond mode, phase and delay that the fault takes. */
  fields?: readonly FaultField[]
  /** Target protocols the fault exists for; none means every protocol. */
  protocols?: readonly Protocol[]
  /** Modes or fields only some target protocols support (checked when a scenario loads). */
  only?: ReadonlyArray<{modes?: readonly string[]; field?: FaultField; protocols: readonly Protocol[]}>
  /** The fault acts across replicas (a partition, the replication link): it needs target.replicas. */
  replicas?: boolean
}

/** Fault fields that only some fault types take. */
export type FaultField = 'retryAfter' | 'code' | 'frame' | 'restart' | 'duration'

const GRPC_STATUS_MODES = GRPC_STATUS_NAMES.filter((n) => n !== 'OK')

export const FAULT_KINDS: Record<FaultType, FaultKind> = {
  'drop-request': {modes: ['timeout', 'reset']},
  'drop-reply': {modes: ['timeout', 'reset']},
  duplicate: {modes: ['sequential', 'concurrent', 'delayed'], delay: true},
  delay: {phases: ['request', 'reply'], delay: true, delayFactor: true},
  reset: {phases: ['mid-reply']},
  'crash-before-reply': {fields: ['restart']},
  'crash-after-reply': {fields: ['restart']},
  'client-abort': {},
  toxic: {},
  status: {
    modes: GRPC_STATUS_MODES,
    httpStatusModes: true,
    phases: ['request', 'reply'],
    fields: ['retryAfter', 'code', 'frame'],
    only: [
      {modes: GRPC_STATUS_MODES, protocols: ['grpc']},
      {field: 'retryAfter', protocols: ['http', 'jsonrpc', 'grpc']},
      {field: 'code', protocols: ['jsonrpc']},
      {field: 'frame', protocols: ['tcp']},
    ],
  },
  'partition-primary': {modes: ['before-delivery', 'after-delivery'], fields: ['duration'], replicas: true},
  'replication-delay': {delay: true, replicas: true},
  'replication-drop': {modes: ['timeout', 'reset'], replicas: true},
}

/** Profiles every endpoint runs unless the scenario says otherwise. */
export const DEFAULT_PROFILES: readonly string[] = [
  'drop-request',
  'drop-reply',
  'duplicate',
  'delay-past-timeout',
]

type FaultSpec = Omit<ProfileFault, 'attempt' | 'probability'>
const first = (fault: FaultSpec): ProfileFault => ({...fault, attempt: 1, probability: 1})
const builtin = (name: string, description: string, fault: FaultSpec): Profile => ({
  name,
  description,
  faults: [first(fault)],
  source: 'built-in',
})

/** The built-in profiles: one line each. Every one hits the first attempt, always. */
export const BUILTIN_PROFILES: readonly Profile[] = [
  builtin('drop-request', 'The first attempt is never forwarded; the client times out and retries.', {
    type: 'drop-request',
    mode: 'timeout',
  }),
  builtin('drop-request-reset', 'The first attempt is never forwarded; its connection is reset.', {
    type: 'drop-request',
    mode: 'reset',
  }),
  builtin(
    'drop-reply',
    'The first attempt reaches the server but its reply is discarded; the client times out.',
    {type: 'drop-reply', mode: 'timeout'},
  ),
  builtin(
    'drop-reply-reset',
    'The first attempt reaches the server, then the connection is reset instead of replying.',
    {type: 'drop-reply', mode: 'reset'},
  ),
  builtin(
    'duplicate',
    'The first attempt is delivered twice: one after the other, at once, or after a short gap.',
    {type: 'duplicate', mode: ['sequential', 'concurrent', 'delayed'], delay: [10, 100]},
  ),
  builtin('duplicate-sequential', 'The first attempt is delivered again after the server answered it.', {
    type: 'duplicate',
    mode: 'sequential',
  }),
  builtin('duplicate-concurrent', 'The first attempt is delivered twice at the same time.', {
    type: 'duplicate',
    mode: 'concurrent',
  }),
  builtin('duplicate-delayed', 'The first attempt is delivered again 10–100ms later.', {
    type: 'duplicate',
    mode: 'delayed',
    delay: [10, 100],
  }),
  builtin(
    'delay-past-timeout',
    'The first attempt reaches the server after the client gave up, racing its retry.',
    {type: 'delay', phase: 'request', delayTimeoutFactor: [1.2, 2]},
  ),
  builtin(
    'delay-reply-past-timeout',
    'The reply to the first attempt is held until after the client gave up and retried.',
    {type: 'delay', phase: 'reply', delayTimeoutFactor: [1.2, 2]},
  ),
  builtin('delay', 'The first attempt is delayed 5–50ms, well within the client timeout.', {
    type: 'delay',
    phase: 'request',
    delay: [5, 50],
  }),
  builtin('reset-mid-reply', 'The connection is reset while the reply to the first attempt is being sent.', {
    type: 'reset',
    phase: 'mid-reply',
  }),
  builtin(
    'crash-before-reply',
    'The server is killed after receiving the first attempt, before replying, then restarted.',
    {type: 'crash-before-reply'},
  ),
  builtin(
    'crash-after-reply',
    'The server is killed right after replying to the first attempt, then restarted.',
    {type: 'crash-after-reply'},
  ),
  builtin('client-abort', 'The client abandons the first attempt right after sending it, then retries.', {
    type: 'client-abort',
  }),
  builtin('status-unavailable', 'The first gRPC attempt is answered UNAVAILABLE without reaching the server.', {
    type: 'status',
    mode: 'UNAVAILABLE',
    phase: 'request',
  }),
  builtin(
    'status-unavailable-after-reply',
    'The first gRPC attempt reaches the server, but the client gets UNAVAILABLE instead of its reply.',
    {type: 'status', mode: 'UNAVAILABLE', phase: 'reply'},
  ),
  builtin('status-503', 'The first attempt is answered 503 without reaching the server.', {type: 'status', mode: '503', phase: 'request'}),
  builtin('status-429-retry-after', 'The first attempt is answered 429, retry after 1s, without reaching the server.', {type: 'status', mode: '429', phase: 'request', retryAfter: 1}),
  builtin('status-503-after-reply', 'The first attempt reaches the server, but the client gets 503 instead of its reply.', {type: 'status', mode: '503', phase: 'reply'}),
  // Replicated targets only (target.replicas): docs/replicas.md.
  builtin('crash-primary-before-reply', 'Replicas: the primary is killed before replying to the first attempt; restarted once the failover was probed.', {
    type: 'crash-before-reply',
    restart: 'after-probe',
  }),
  builtin('crash-primary-after-reply', 'Replicas: the primary is killed right after replying to the first attempt; restarted once the failover was probed.', {
    type: 'crash-after-reply',
    restart: 'after-probe',
  }),
  builtin('crash-primary-before-reply-left-down', 'Replicas: the primary is killed before replying to the first attempt and stays down for the rest of the trial.', {
    type: 'crash-before-reply',
    restart: 'never',
  }),
  builtin('crash-primary-after-reply-left-down', 'Replicas: the primary is killed right after replying to the first attempt and stays down for the rest of the trial.', {
    type: 'crash-after-reply',
    restart: 'never',
  }),
  builtin('partition-primary', 'Replicas: the primary is cut off from clients for 1.5 client timeouts, from the first attempt on (delivered or not); it keeps running.', {
    type: 'partition-primary',
    mode: ['before-delivery', 'after-delivery'],
  }),
  builtin('partition-primary-before-delivery', 'Replicas: the primary is cut off from clients for 1.5 client timeouts; the first attempt never reaches it.', {
    type: 'partition-primary',
    mode: 'before-delivery',
  }),
  builtin('partition-primary-after-delivery', 'Replicas: the primary executes the first attempt, then is cut off from clients for 1.5 client timeouts; the reply is lost.', {
    type: 'partition-primary',
    mode: 'after-delivery',
  }),
  builtin('replication-delay', 'Replicas: from the first attempt to the end of the trial, every replication message is delayed 100–500ms.', {
    type: 'replication-delay',
    delay: [100, 500],
  }),
  builtin('replication-drop', 'Replicas: from the first attempt to the end of the trial, replication messages are swallowed (the primary times out).', {
    type: 'replication-drop',
    mode: 'timeout',
  }),
  builtin('replication-drop-reset', 'Replicas: from the first attempt to the end of the trial, replication connections are reset.', {
    type: 'replication-drop',
    mode: 'reset',
  }),
]

/** A fresh catalog holding the built-ins, in registry order. */
export function builtinProfileCatalog(): Map<string, Profile> {
  return new Map(BUILTIN_PROFILES.map((p) => [p.name, p]))
}

/** The catalog's profiles in order: built-ins first, then file profiles in load order. */
export function listProfiles(catalog: ReadonlyMap<string, Profile>): Profile[] {
  return [...catalog.values()]
}

/** The catalog's profile names, for "known profiles" lists. */
export function profileNames(catalog: ReadonlyMap<string, Profile>): string[] {
  return [...catalog.keys()]
}

/** `unknown profile "x"; did you mean y? known profiles: …` */
export function unknownProfileMessage(name: string, catalog: ReadonlyMap<string, Profile>): string {
  const known = profileNames(catalog)
  const guess = didYouMean(name, [...known, ...PROFILE_SETS.keys()])
  return `unknown profile "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; known profiles: ${known.join(', ')}; profile sets: ${[...PROFILE_SETS.keys()].join(', ')}`
}

interface RawProfile {
  name: string
  description: string
  faults: RawFault[]
}

/**
 * Read a YAML profile file (`profiles: [{name, description, faults: […]}]`), validate it
 * against schema/profiles.schema.json and the fault rules above, and return its profiles.
 * `displayName` is how the file is named in messages and in each profile's `source`.
 */
export async function loadProfileFile(
  file: string,
  options: {
    displayName?: string
    /** Profiles already known (built-ins, earlier files): a name clash is an error naming both. */
    known?: ReadonlyMap<string, Profile>
    onReadError?: (reason: string) => ScenarioError
  } = {},
): Promise<Profile[]> {
  const display = options.displayName ?? file
  const source = await readYamlFile(display, 'profile file', file, options.onReadError)
  if (source.data === null || source.data === undefined) {
    throw new ScenarioError(
      {file: display, line: 1, column: 1},
      'the profile file is empty; it needs profiles: [...]',
    )
  }
  validateSource(source, await schemaValidator('profiles.schema.json'))
  const raw = (source.data as {profiles: RawProfile[]}).profiles
  const seen = new Map<string, number>()
  return raw.map((p, i) => {
    const previous = seen.get(p.name)
    if (previous !== undefined) {
      const where = source.position(['profiles', previous, 'name'])
      throw source.error(
        ['profiles', i, 'name'],
        `duplicate profile name "${p.name}" (first defined at line ${where.line})`,
      )
    }
    const clash = options.known?.get(p.name)
    if (clash) {
      const other =
        clash.source === 'built-in'
          ? `the built-in profile ${clash.name}`
          : `the profile ${clash.name} from ${clash.source}`
      throw source.error(
        ['profiles', i, 'name'],
        `profile "${p.name}" has the same name as ${other}; choose another name`,
      )
    }
    seen.set(p.name, i)
    const faults = p.faults.map((f, j) => checkFault(fileFaultProblems(source, ['profiles', i, 'faults', j]), f, FAULT_KINDS[f.type]))
    const line = source.position(['profiles', i]).line
    return {name: p.name, description: p.description, faults, source: `${display}:${line}`}
  })
}
