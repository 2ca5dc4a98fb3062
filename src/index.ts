/**
 * Explicit oclif command registry (package.json oclif.commands.strategy = explicit).
 * One line per command.
 */
export const COMMANDS = {}
