// Writes oclif.manifest.json (run by `npm run build`, after tsc): the flags, arguments and
// help text of every command, read from the real command classes (dist/command-classes.js).
// The CLI's registry (dist/index.js) holds lazy stand-ins that import a command's module only
// when it runs, so oclif takes flags and help from this manifest: `faultline --version` and
// `--help` import no command module, and `faultline proxy` imports only proxy's.
import {readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Plugin} from '@oclif/core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
// the same plugin, its commands read from the real classes instead of the lazy registry
pjson.oclif = {...pjson.oclif, commands: {...pjson.oclif.commands, target: './dist/command-classes.js'}}
const plugin = new Plugin({root, pjson, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true})
await plugin.load()
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest)}\n`)
