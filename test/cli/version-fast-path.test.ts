import {execFile} from 'node:child_process'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {promisify} from 'node:util'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/run-cli.js'

// bin/run.js answers `faultline --version` itself, without loading oclif. What it prints must
// be what oclif prints: the test asks oclif for its own answer (execute, as bin/run.js did
// before the fast path) and compares bytes. A module-resolution hook in the child prints
// every module the start-up resolves, so the test sees that oclif stayed unloaded.
const run = promisify(execFile)
const BIN = path.join(ROOT, 'bin/run.js')
const HOOK =
  'data:text/javascript,import {register} from "node:module"; register("data:text/javascript,' +
  'export async function resolve(s, c, n) { const r = await n(s, c); console.error(\\"RESOLVED \\" + r.url); return r }")'

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1'}
  delete e.NODE_ENV // vitest's NODE_ENV=test makes oclif look for TypeScript sources
  return e
}

async function node(args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  return run(process.execPath, args, {cwd: ROOT, env: env(), timeout: 60_000}).then(
    ({stdout, stderr}) => ({code: 0, stdout, stderr}),
    (err: {code: number; stdout: string; stderr: string}) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  )
}

/** oclif's own answer for these arguments, with no fast path in front of it. */
function oclif(args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  const script = `import('@oclif/core').then((o) => o.execute({dir: ${JSON.stringify(pathToFileURL(BIN).href)}, args: ${JSON.stringify(args)}}))`
  return node(['--input-type=module', '-e', script])
}

describe('faultline --version', () => {
  it('prints byte for byte what oclif prints', async () => {
    const [fast, slow] = await Promise.all([node([BIN, '--version']), oclif(['--version'])])
    expect(slow.stdout).toMatch(/^faultline\/\d+\.\d+\.\d+\S* \S+-\S+ node-v\d+\.\d+\.\d+\n$/)
    expect(fast).toEqual(slow)
  })

  it('loads no module but bin/run.js: no oclif, no dependency, nothing from dist/', async () => {
    const {stdout, stderr} = await node(['--import', HOOK, BIN, '--version'])
    expect(stdout).toMatch(/^faultline\//)
    const resolved = stderr
      .split('\n')
      .filter((l) => l.startsWith('RESOLVED '))
      .map((l) => l.slice('RESOLVED '.length))
    expect(resolved).toEqual([pathToFileURL(BIN).href])
  })

  it('anything else still goes to oclif: --version with more arguments, -v, version', async () => {
    for (const args of [['--version', '--help'], ['-v'], ['version']]) {
      const [ours, theirs] = await Promise.all([node([BIN, ...args]), oclif(args)])
      expect(ours, args.join(' ')).toEqual(theirs)
    }
  })
})
