import path from 'node:path'
import {unsupportedFault} from './fault-support.js'
import {isProfileSet} from './profile-sets.js'
import {builtinProfileCatalog, loadProfileFile, unknownProfileMessage} from './profiles.js'
import {checkReplicaFaultNeeds} from './replica-faults.js'
import type {RawScenario} from './raw-scenario.js'
import type {Checker} from './scenario-checker.js'
import type {PathSegment} from './source.js'
import type {Profile, Scenario, Target} from './types.js'

/** The profile catalog of a scenario: the built-in profiles, then those of its profileFiles. */
export async function loadProfileFiles(
  check: Checker,
  raw: RawScenario,
  file: string,
  dir: string,
): Promise<{catalog: Map<string, Profile>; files: string[]}> {
  const catalog = builtinProfileCatalog()
  const files: string[] = []
  for (const [i, rel] of (raw.profileFiles ?? []).entries()) {
    const absolute = path.resolve(dir, rel)
    const display = path.isAbsolute(rel) ? rel : path.join(path.dirname(file), rel)
    const profiles = await loadProfileFile(absolute, {
      displayName: display,
      known: catalog,
      onReadError: (reason) =>
        check.source.error(['profileFiles', i], `cannot read profile file ${display}: ${reason}`),
    })
    for (const profile of profiles) catalog.set(profile.name, profile)
    files.push(absolute)
  }
  return {catalog, files}
}

/** Profile names exist in the catalog, and their faults apply to the target's protocol. */
export function checkProfileNames(
  check: Checker,
  at: PathSegment[],
  names: string[],
  catalog: Map<string, Profile>,
  protocol: Target['protocol'],
): string[] {
  names.forEach((name, i) => {
    if (isProfileSet(name)) return
    const profile = catalog.get(name)
    if (!profile) check.fail([...at, i], unknownProfileMessage(name, catalog))
    const foreign = profile.faults.map((f) => unsupportedFault(f, protocol)).find((u) => u !== undefined)
    if (foreign) {
      check.fail([...at, i], `profile "${name}" injects ${foreign.what}, which apply to ${foreign.protocols.join(', ')} targets only (this target is ${protocol})`)
    }
  })
  return [...names]
}

/**
 * Profiles whose faults need more than the proxy: `toxic` faults need the scenario's
 * `toxiproxy` server, crash faults a `target.server` faultline runs (and can restart).
 */
export function checkFaultNeeds(check: Checker, raw: RawScenario, scenario: Scenario): void {
  scenario.endpoints.forEach((endpoint, i) => {
    endpoint.profiles.forEach((name, j) => {
      const faults = scenario.profileCatalog.get(name)?.faults ?? []
      const at: PathSegment[] = raw.endpoints[i]?.profiles ? ['endpoints', i, 'profiles', j] : ['profiles', raw.profiles?.indexOf(name) ?? 0]
      if (!scenario.toxiproxy && faults.some((f) => f.type === 'toxic')) {
        check.fail(at, `profile "${name}" has toxic faults, which need a toxiproxy server: add toxiproxy: { url: http://127.0.0.1:8474 } to the scenario`)
      }
      if (!scenario.target.server && faults.some((f) => f.type === 'crash-before-reply' || f.type === 'crash-after-reply')) {
        check.fail(at, `profile "${name}" crashes the server, which faultline can only do to a server it starts: add target.server with the command that starts it`)
      }
      checkReplicaFaultNeeds(check, at, name, faults, scenario, endpoint)
    })
  })
}
