import {Flags} from '@oclif/core'
import {builtinProfileCatalog, listProfiles, loadProfileFile} from '../scenario/profiles.js'
import {PROFILE_SETS, type ProfileSet} from '../scenario/profile-sets.js'
import type {Profile} from '../scenario/types.js'
import {describeProfileFault} from '../report/profile-list.js'
import {FaultlineCommand} from './base-command.js'

export default class Profiles extends FaultlineCommand {
  static override summary = 'List the fault profiles: the built-in ones and those of a profile file'
  static override examples = ['<%= config.bin %> profiles', '<%= config.bin %> profiles --file my-profiles.yaml --json']
  static override enableJsonFlag = true
  static override flags = {
    file: Flags.string({description: 'also list the profiles of this YAML profile file'}),
  }

  async run(): Promise<{profiles: Profile[]; profileSets: ProfileSet[]} | undefined> {
    const {flags} = await this.parse(Profiles)
    const catalog = builtinProfileCatalog()
    if (flags.file) for (const p of await loadProfileFile(flags.file, {known: catalog})) catalog.set(p.name, p)
    const profiles = listProfiles(catalog)
    if (this.jsonEnabled()) return {profiles, profileSets: [...PROFILE_SETS.values()]}
    const width = Math.max(...profiles.map((p) => p.name.length))
    for (const p of profiles) {
      this.log(`${p.name.padEnd(width)}  ${p.description}`)
      this.log(`${' '.repeat(width)}  ${p.faults.map(describeProfileFault).join(' + ')}${p.source === 'built-in' ? '' : ` (${p.source})`}`)
    }
    this.log()
    this.log('Profile sets (checks rather than faults; list them among an endpoint\'s profiles):')
    for (const set of PROFILE_SETS.values()) {
      this.log(`${set.name.padEnd(width)}  ${set.description}`)
      for (const rule of set.rules) this.log(`${' '.repeat(width)}  ${rule.name}: ${rule.requirement}`)
    }
    return undefined
  }
}
