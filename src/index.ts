/**
 * Explicit oclif command registry (package.json oclif.commands.strategy = explicit).
 * One line per command.
 */
import Check from './commands/check.js'
import Init from './commands/init.js'
import Profiles from './commands/profiles.js'
import Proxy from './commands/proxy.js'
import Serve from './commands/serve.js'

export const COMMANDS = {
  check: Check,
  init: Init,
  profiles: Profiles,
  proxy: Proxy,
  serve: Serve,
}
