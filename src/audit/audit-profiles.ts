import {UsageError} from '../errors.js'
import {unsupportedFault} from '../scenario/fault-support.js'
import {builtinProfileCatalog, loadProfileFile, unknownProfileMessage} from '../scenario/profiles.js'
import type {Profile} from '../scenario/types.js'
import type {AuditProtocol} from './audit-proxy.js'
import {firstFault} from './observer.js'

/**
 * The one fault the built-in profiles lack for an audit: gRPC UNAVAILABLE with pushback
 * (grpc-retry-pushback-ms: 1000), to see whether a client waits what the server asks.
 */
export const PUSHBACK_PROFILE: Profile = {
  name: 'status-unavailable-pushback',
  description: 'The first gRPC attempt is answered UNAVAILABLE with grpc-retry-pushback-ms 1000, without reaching the server.',
  faults: [{type: 'status', mode: 'UNAVAILABLE', phase: 'request', retryAfter: 1, attempt: 1, probability: 1}],
  source: 'built-in (audit)',
}

/** What `audit` injects when `--profiles` is not given: one profile per retry finding of the protocol. */
export const DEFAULT_AUDIT_PROFILES: Record<AuditProtocol, readonly string[]> = {
  http: ['drop-request', 'drop-reply', 'drop-request-reset', 'status-503', 'status-429-retry-after'],
  jsonrpc: ['drop-request', 'drop-reply', 'drop-request-reset', 'status-503', 'status-429-retry-after'],
  grpc: ['drop-request', 'drop-reply', 'drop-request-reset', 'status-unavailable', 'status-unavailable-pushback'],
  // status-503 answers with the error frame; a framed-TCP status fault cannot carry Retry-After.
  tcp: ['drop-request', 'drop-reply', 'drop-request-reset', 'status-503'],
}

/** Fault types an audit cannot apply: they need a supervised server (replicas, for the last three) or a Toxiproxy server. */
const UNSUPPORTED = new Set(['crash-before-reply', 'crash-after-reply', 'toxic', 'partition-primary', 'replication-delay', 'replication-drop'])

/**
 * Resolve `--profiles` names against the catalog (built-ins, `--profiles-file`, and the pushback
 * profile). A profile whose fault the protocol does not support (fault-support.ts) is refused.
 */
export function selectAuditProfiles(names: readonly string[], catalog: ReadonlyMap<string, Profile>, protocol: AuditProtocol): Profile[] {
  return names.map((name) => {
    const profile = catalog.get(name)
    if (!profile) throw new UsageError(`--profiles: ${unknownProfileMessage(name, catalog)}`)
    const fault = firstFault(profile)
    if (UNSUPPORTED.has(fault.type)) throw new UsageError(`--profiles: ${name} is a ${fault.type} fault, which needs \`faultline check\` (a supervised server); choose another profile`)
    const unsupported = unsupportedFault(fault, protocol)
    if (unsupported) {
      throw new UsageError(`--profiles: ${name} uses ${unsupported.what}, which --protocol ${protocol} does not support (only ${unsupported.protocols.join(', ')}); choose another profile (see faultline profiles)`)
    }
    return profile
  })
}

/**
 * The profiles an audit injects: `names` (default: the protocol's DEFAULT_AUDIT_PROFILES) from
 * the built-ins, the pushback profile and the profiles of `file`.
 */
export async function auditProfiles(protocol: AuditProtocol, names: readonly string[] | undefined, file: string | undefined): Promise<Profile[]> {
  const catalog = builtinProfileCatalog()
  catalog.set(PUSHBACK_PROFILE.name, PUSHBACK_PROFILE)
  if (file) for (const p of await loadProfileFile(file, {known: catalog})) catalog.set(p.name, p)
  const chosen = names ?? DEFAULT_AUDIT_PROFILES[protocol]
  if (chosen.length === 0) throw new UsageError('--profiles: name at least one profile (see faultline profiles)')
  return selectAuditProfiles(chosen, catalog, protocol)
}
