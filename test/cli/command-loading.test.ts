import {execFile} from 'node:child_process'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'
import {describe, expect, it} from 'vitest'
import {COMMANDS as CLASSES} from '../../src/command-classes.js'
import {COMMANDS} from '../../src/index.js'
import {cliEnv, ROOT} from '../helpers/run-cli.js'

// The CLI's registry holds lazy stand-ins; `npm run build` writes oclif.manifest.json (flags
// and help) from the real classes. A module-resolution hook in the child prints every dist/
// module it loads, so the test sees what a start-up imported.
const run = promisify(execFile)
const BIN = path.join(ROOT, 'bin/run.js')
const HOOK =
  'data:text/javascript,import {register} from "node:module"; register("data:text/javascript,' +
  'export async function resolve(s, c, n) { const r = await n(s, c); if (r.url.includes(\\"/dist/\\")) console.error(\\"LOADED \\" + r.url); return r }")'

async function cli(args: string[]): Promise<{stdout: string; loaded: string[]}> {
  const env = cliEnv()
  const {stdout, stderr} = await run(process.execPath, ['--import', HOOK, BIN, ...args], {cwd: ROOT, env, timeout: 60_000})
  const loaded = stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => path.relative(path.join(ROOT, 'dist'), new URL(l.slice('LOADED '.length)).pathname))
  return {stdout, loaded}
}

describe('command loading', () => {
  it('the lazy registry and the built manifest list every command class, the manifest with its flags', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, {flags: Record<string, unknown>}>
    }
    expect(Object.keys(COMMANDS).sort()).toEqual(Object.keys(CLASSES).sort())
    expect(Object.keys(manifest.commands).sort()).toEqual(Object.keys(CLASSES).sort())
    for (const [id, command] of Object.entries(CLASSES)) {
      expect(Object.keys(manifest.commands[id]?.flags ?? {}).sort(), id).toEqual(
        expect.arrayContaining(Object.keys(command.flags ?? {}).sort()),
      )
    }
  })

  it('--version imports no command module', async () => {
    const {stdout, loaded} = await cli(['--version'])
    expect(stdout).toMatch(/^faultline\/\d+\.\d+\.\d+ /)
    expect(loaded).toEqual([])
  })

  it('--help lists every command without importing one', async () => {
    const {stdout, loaded} = await cli(['--help'])
    for (const id of Object.keys(COMMANDS)) expect(stdout).toMatch(new RegExp(`^\\s+${id}\\s`, 'm'))
    expect(loaded).toEqual([])
  })

  it('a command imports its own module and no other command: profiles', async () => {
    const {stdout, loaded} = await cli(['profiles'])
    expect(stdout).toContain('drop-request')
    const commands = loaded.filter((m) => m.startsWith('commands/') && !['commands/lazy-command.js', 'commands/base-command.js'].includes(m))
    expect(commands).toEqual(['commands/profiles.js'])
  })

  it('a lazy command parses its real flags: bad usage still exits 2 with one line', async () => {
    const env = cliEnv()
    const failed = await run(process.execPath, [BIN, 'proxy', '--listen', 'nowhere', '--upstream', 'http://127.0.0.1:1'], {cwd: ROOT, env, timeout: 60_000}).catch((err: {code: number; stderr: string}) => err)
    expect('code' in failed ? failed.code : 0).toBe(2)
    expect('stderr' in failed ? failed.stderr.trim() : '').toMatch(/^faultline: --listen nowhere: write host:port/)
  })
})
