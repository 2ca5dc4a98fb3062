import {FAULT_KINDS} from './profiles.js'
import type {Checker} from './scenario-checker.js'
import type {PathSegment} from './source.js'
import type {Endpoint, ProfileFault, Scenario} from './types.js'

/**
 * Faults that act across replicas need target.replicas: a crash that says when the primary
 * comes back (`restart`), a partition of the primary, a fault on the replication link. The link
 * exists only where the primary's server command writes {{replicationUrl}}; a primary left down
 * cannot be read by the effect probe.
 */
export function checkReplicaFaultNeeds(check: Checker, at: PathSegment[], name: string, faults: readonly ProfileFault[], scenario: Scenario, endpoint: Endpoint): void {
  const replicas = scenario.target.replicas
  for (const fault of faults) {
    const crash = fault.type === 'crash-before-reply' || fault.type === 'crash-after-reply'
    if (!replicas && crash && fault.restart !== undefined) {
      check.fail(at, `profile "${name}" crashes the primary of replicated servers (restart: ${fault.restart}), but this target has no replicas; use ${fault.type} on one server, or give target.replicas`)
    }
    if (!replicas && FAULT_KINDS[fault.type].replicas) {
      check.fail(at, `profile "${name}" injects ${fault.type}, which acts across replicas: give target.replicas (a primary and its backups), or choose a profile for one server`)
    }
    if (!replicas) continue
    if (fault.type.startsWith('replication-')) {
      const primary = replicas.find((r) => r.role === 'primary')
      if (primary && !JSON.stringify(primary.server).includes('{{replicationUrl}}')) {
        check.fail(at, `profile "${name}" faults the replication link, but the primary's server command never writes {{replicationUrl}}; pass {{replicationUrl}} to the primary as the address it replicates to`)
      }
    }
    if (crash && fault.restart === 'never' && endpoint.effect && endpoint.effect.replica !== 'backup') {
      check.fail(at, `profile "${name}" leaves the primary down for the rest of the trial, so endpoint ${endpoint.name}'s effect probe cannot read the primary; write effect.replica: backup`)
    }
  }
}
