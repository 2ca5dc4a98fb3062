/**
 * Explicit oclif command registry (package.json oclif.commands.strategy = explicit).
 * One line per command.
 */
import Check from './commands/check.js'
import Merge from './commands/merge.js'
import Profiles from './commands/profiles.js'
import Proxy from './commands/proxy.js'
import Report from './commands/report.js'
import Serve from './commands/serve.js'

export const COMMANDS = {
  check: Check,
  merge: Merge,
  profiles: Profiles,
  proxy: Proxy,
  report: Report,
  serve: Serve,
}
