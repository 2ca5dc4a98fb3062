/**
 * The oclif command registry (package.json oclif.commands: strategy explicit, target
 * dist/index.js, identifier COMMANDS). Each entry is a stand-in that imports its command's
 * module only when that command runs, so `faultline proxy` never loads gRPC or the scenario
 * runner, and `--version` or `--help` load no command at all. Their flags and help text come
 * from oclif.manifest.json, which `npm run build` writes from the real classes in
 * ./command-classes.js (scripts/write-oclif-manifest.mjs).
 */
import {lazyCommand} from './commands/lazy-command.js'

export const COMMANDS = {
  audit: lazyCommand(() => import('./commands/audit.js')),
  check: lazyCommand(() => import('./commands/check.js')),
  init: lazyCommand(() => import('./commands/init.js')),
  merge: lazyCommand(() => import('./commands/merge.js')),
  profiles: lazyCommand(() => import('./commands/profiles.js')),
  proxy: lazyCommand(() => import('./commands/proxy.js')),
  record: lazyCommand(() => import('./commands/record.js')),
  report: lazyCommand(() => import('./commands/report.js')),
  serve: lazyCommand(() => import('./commands/serve.js')),
}
