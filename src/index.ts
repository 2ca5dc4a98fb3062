/**
 * Explicit oclif command registry (package.json oclif.commands.strategy = explicit).
 * One line per command.
 */
import Check from './commands/check.js'
import Serve from './commands/serve.js'

export const COMMANDS = {
  check: Check,
  serve: Serve,
}
