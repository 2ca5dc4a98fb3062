import {FAULT_KINDS} from './profiles.js'
import type {ProfileFault, Protocol} from './types.js'

/** What part of a fault a target protocol does not support, and which protocols do. */
export interface UnsupportedFault {
  /** `status faults`, `status faults with mode UNAVAILABLE`, `status faults with retryAfter`. */
  what: string
  protocols: readonly Protocol[]
}

/**
 * Whether `protocol` supports this fault, read from FAULT_KINDS (`protocols` for the whole
 * fault type, `only` for its modes and fields): the one table the scenario loader checks.
 */
export function unsupportedFault(fault: Pick<ProfileFault, 'type' | 'mode' | 'retryAfter' | 'code' | 'frame' | 'restart' | 'duration'>, protocol: Protocol): UnsupportedFault | undefined {
  const kind = FAULT_KINDS[fault.type]
  if (kind.protocols && !kind.protocols.includes(protocol)) return {what: `${fault.type} faults`, protocols: kind.protocols}
  const modes = fault.mode === undefined ? [] : Array.isArray(fault.mode) ? fault.mode : [fault.mode]
  for (const part of kind.only ?? []) {
    if (part.protocols.includes(protocol)) continue
    const mode = modes.find((m) => part.modes?.includes(m))
    if (mode !== undefined) return {what: `${fault.type} faults with mode ${mode}`, protocols: part.protocols}
    if (part.field !== undefined && fault[part.field] !== undefined) return {what: `${fault.type} faults with ${part.field}`, protocols: part.protocols}
  }
  return undefined
}
