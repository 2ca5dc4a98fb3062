/**
 * Explicit oclif command registry (package.json oclif.commands.strategy = explicit).
 * One line per command.
 */
import Check from './commands/check.js'

export const COMMANDS = {
  check: Check,
}
