// Writes oclif.manifest.json (run by `npm run build`, after tsc): the flags, arguments and
// help text of every command, read from the built commands. With it, oclif answers
// `faultline --version` and `faultline --help` without importing any command module; a
// command's own module (and what it imports: gRPC, the Toxiproxy client, …) loads only when
// that command runs. Without the file (e.g. after a bare `tsc`), oclif imports every command
// at start-up instead: slower, same behaviour.
import {writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Plugin} from '@oclif/core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const plugin = new Plugin({root, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true})
await plugin.load()
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest)}\n`)
