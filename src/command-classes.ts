/**
 * Every command class, one line per command. Only scripts/write-oclif-manifest.mjs imports
 * this (to read flags and help into oclif.manifest.json); the CLI runs the lazy registry in
 * ./index.js, which must list the same ids (test/cli/command-loading.test.ts checks).
 */
import Audit from './commands/audit.js'
import Check from './commands/check.js'
import Init from './commands/init.js'
import Merge from './commands/merge.js'
import Profiles from './commands/profiles.js'
import Proxy from './commands/proxy.js'
import Record from './commands/record.js'
import Report from './commands/report.js'
import Serve from './commands/serve.js'

export const COMMANDS = {
  audit: Audit,
  check: Check,
  init: Init,
  merge: Merge,
  profiles: Profiles,
  proxy: Proxy,
  record: Record,
  report: Report,
  serve: Serve,
}
