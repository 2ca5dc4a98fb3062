/**
 * Explicit oclif command registry (package.json oclif.commands.strategy = explicit).
 * One line per command.
 */
import Serve from './commands/serve.js'

export const COMMANDS = {
  serve: Serve,
}
