import {DurationError, parseDurationSpec} from './duration.js'
import type {FaultKind} from './profiles.js'
import type {PathSegment, YamlSource} from './source.js'
import type {FaultType, ProfileFault} from './types.js'

/** One fault of a profile file as the schema guarantees it, before the rules of its type. */
export interface RawFault {
  type: FaultType
  mode?: string | number | Array<string | number>
  phase?: string
  delay?: unknown
  delayFactor?: number | [number, number]
  attempt?: number
  probability?: number
  match?: ProfileFault['match']
  nth?: number
  proxy?: string
  toxic?: {type: string; stream?: 'upstream' | 'downstream'; toxicity?: number; attributes?: Record<string, number>}
  retryAfter?: number
  code?: number
  frame?: unknown
  restart?: 'after-probe' | 'never'
  duration?: unknown
}

/**
 * Where the problems of one fault are reported, each as an error the caller throws: at a
 * profile file's position (`fileFaultProblems`), or at the command-line flag that set the
 * field (`faultline proxy`, profile-flags.ts).
 */
export interface FaultProblems {
  /** A field's value is wrong (`index`: the entry of a list); `key`: the field should not be there at all. */
  field(field: string, message: string, options?: {key?: boolean; index?: number}): Error
  /** The fault as a whole is wrong; `needs`: the field it lacks. */
  whole(message: string, needs?: string): Error
}

/** Problems of the fault at `at` in a profile file: a ScenarioError at the field to change. */
export function fileFaultProblems(source: YamlSource, at: PathSegment[]): FaultProblems {
  return {
    field: (field, message, options = {}) => source.error([...at, field, ...(options.index === undefined ? [] : [options.index])], message, {key: options.key ?? false}),
    whole: (message) => source.error(at, message),
  }
}

type FieldFailure = (field: string, message: string, key?: boolean) => never

/**
 * A profile's fault checked against what its type accepts (`kind`, from FAULT_KINDS) and
 * filled with defaults. Every problem is thrown as `problems` words it.
 */
export function checkFault(problems: FaultProblems, raw: RawFault, kind: FaultKind): ProfileFault {
  const fail: FieldFailure = (field, message, key = false) => {
    throw problems.field(field, message, {key})
  }
  checkModeAndPhase(problems, raw, kind, fail)
  checkDelayFields(problems, raw, kind, fail)
  checkToxicFields(problems, raw, fail)
  const fault = profileFault(raw, fail)
  for (const field of ['retryAfter', 'code', 'frame', 'restart', 'duration'] as const) {
    if (raw[field] === undefined) continue
    if (!kind.fields?.includes(field)) fail(field, `fault type ${raw.type} takes no ${field}`, true)
    fault[field] = (field === 'duration' ? duration(raw.duration, fail) : raw[field]) as never
  }
  return fault
}

function checkModeAndPhase(problems: FaultProblems, raw: RawFault, kind: FaultKind, fail: FieldFailure): void {
  if (raw.mode !== undefined) {
    if (!kind.modes) fail('mode', `fault type ${raw.type} takes no mode`, true)
    const modes = (Array.isArray(raw.mode) ? raw.mode : [raw.mode]).map(String)
    modes.forEach((mode, i) => {
      if (!kind.modes?.includes(mode) && !(kind.httpStatusModes && /^[45]\d\d$/.test(mode))) {
        throw problems.field(
          'mode',
          `must be one of ${kind.modes?.join(', ')}${kind.httpStatusModes ? ' or an HTTP status from 400 to 599' : ''} for fault type ${raw.type} (got "${mode}")`,
          {index: Array.isArray(raw.mode) ? i : undefined},
        )
      }
    })
  }
  if (raw.phase !== undefined) {
    if (!kind.phases) fail('phase', `fault type ${raw.type} takes no phase`, true)
    if (!kind.phases?.includes(raw.phase)) {
      fail(
        'phase',
        `must be one of ${kind.phases?.join(', ')} for fault type ${raw.type} (got "${raw.phase}")`,
      )
    }
  }
}

function checkDelayFields(problems: FaultProblems, raw: RawFault, kind: FaultKind, fail: FieldFailure): void {
  if (raw.delay !== undefined && !kind.delay) fail('delay', `fault type ${raw.type} takes no delay`, true)
  if (raw.delayFactor !== undefined && !kind.delayFactor)
    fail('delayFactor', `fault type ${raw.type} takes no delayFactor`, true)
  if (raw.type === 'duplicate' && raw.delay !== undefined) {
    const modes = raw.mode === undefined ? [] : Array.isArray(raw.mode) ? raw.mode : [raw.mode]
    if (!modes.includes('delayed')) fail('delay', 'only applies to duplicate faults with mode delayed', true)
  }
  if (raw.type === 'delay') {
    if (raw.delay === undefined && raw.delayFactor === undefined) {
      throw problems.whole('a delay fault needs delay (e.g. 50ms or [10ms, 200ms]) or delayFactor (e.g. 1.5)', 'delay')
    }
    if (raw.delay !== undefined && raw.delayFactor !== undefined) {
      fail('delayFactor', 'give either delay or delayFactor, not both', true)
    }
  }
}

function checkToxicFields(problems: FaultProblems, raw: RawFault, fail: FieldFailure): void {
  if (raw.type === 'toxic') {
    if (raw.proxy === undefined) throw problems.whole('a toxic fault needs proxy: the name of a proxy on the scenario\'s toxiproxy server', 'proxy')
    if (raw.toxic === undefined) throw problems.whole('a toxic fault needs toxic: { type: latency, attributes: { latency: 200 } }', 'toxic')
  } else {
    if (raw.proxy !== undefined) fail('proxy', `only toxic faults take proxy (this one is ${raw.type})`, true)
    if (raw.toxic !== undefined) fail('toxic', `only toxic faults take toxic (this one is ${raw.type})`, true)
  }
}

/** A partition's duration: a duration or a [min, max] range, as delay is written. */
function duration(raw: unknown, fail: FieldFailure): ProfileFault['duration'] {
  try {
    return parseDurationSpec(raw, {allowRange: true})
  } catch (error) {
    if (error instanceof DurationError) fail('duration', error.message)
    throw error
  }
}

/** The checked fault with its defaults: first attempt, always, a toxic downstream at full toxicity. */
function profileFault(raw: RawFault, fail: FieldFailure): ProfileFault {
  const fault: ProfileFault = {type: raw.type, attempt: raw.attempt ?? 1, probability: raw.probability ?? 1}
  if (raw.proxy !== undefined) fault.proxy = raw.proxy
  if (raw.toxic !== undefined) {
    fault.toxic = {
      type: raw.toxic.type,
      stream: raw.toxic.stream ?? 'downstream',
      toxicity: raw.toxic.toxicity ?? 1,
      attributes: raw.toxic.attributes ?? {},
    }
  }
  if (raw.mode !== undefined) fault.mode = Array.isArray(raw.mode) ? raw.mode.map(String) : String(raw.mode)
  if (raw.phase !== undefined) fault.phase = raw.phase
  if (raw.delay !== undefined) {
    try {
      fault.delay = parseDurationSpec(raw.delay, {allowRange: true})
    } catch (error) {
      if (error instanceof DurationError) fail('delay', error.message)
      throw error
    }
  }
  if (raw.delayFactor !== undefined) {
    const factor = raw.delayFactor
    if (Array.isArray(factor) && factor[0] > factor[1]) {
      fail('delayFactor', `range [${factor[0]}, ${factor[1]}]: min must not be greater than max`)
    }
    fault.delayTimeoutFactor = Array.isArray(factor) && factor[0] === factor[1] ? factor[0] : factor
  }
  if (raw.match !== undefined) fault.match = raw.match
  if (raw.nth !== undefined) fault.nth = raw.nth
  return fault
}
