import {execFile} from 'node:child_process'
import {cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/run-cli.js'

// The package as users get it: `npm pack` (whose prepack builds a fresh dist/) in a copy of the
// project, the tarball installed globally into a temporary prefix and locally into a temporary
// project, and the installed command run from an empty folder. Only the package registry is
// reached (for the dependencies, from npm's cache when it has them).
const run = promisify(execFile)
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {version: string; engines: {node: string}}

let work: string
let tarball: string
let prefix: string
let bin: string

/** The environment of a user's shell: none of the npm_* variables `npm test` sets for its scripts. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') && k !== 'NODE_ENV'))
  return {...env, NO_COLOR: '1', ...extra}
}

async function sh(file: string, args: string[], cwd: string, env = userEnv()) {
  return run(file, args, {cwd, env, maxBuffer: 16 * 1024 * 1024, timeout: 300_000})
}

/** Run and keep the exit code instead of throwing on a non-zero one. */
async function attempt(file: string, args: string[], cwd: string, env = userEnv()) {
  try {
    const {stdout, stderr} = await sh(file, args, cwd, env)
    return {code: 0, stdout, stderr}
  } catch (err) {
    const e = err as {code?: number; stdout?: string; stderr?: string}
    return {code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? ''}
  }
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'faultline-package-'))
  const copy = path.join(work, 'project')
  mkdirSync(copy)
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'bin', 'scripts', 'src', 'schema', 'fixtures']) {
    cpSync(path.join(ROOT, entry), path.join(copy, entry), {recursive: true})
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'))
  const out = path.join(work, 'out')
  mkdirSync(out)
  const packed = await sh('npm', ['pack', '--pack-destination', out, '--silent'], copy)
  tarball = path.join(out, packed.stdout.trim().split('\n').at(-1) as string)
  prefix = path.join(work, 'prefix')
  await sh('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], work)
  bin = path.join(prefix, 'bin', 'faultline')
}, 600_000)

afterAll(() => {
  if (work) rmSync(work, {recursive: true, force: true})
}, 120_000)

function emptyFolder(): string {
  return mkdtempSync(path.join(work, 'user-'))
}

describe('the packed tarball', () => {
  it('holds a fresh build, the schemas and the fixtures, and no tests, benchmarks, sources or source maps', async () => {
    const {stdout} = await sh('tar', ['-tzf', tarball], work)
    const files = stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''))
    for (const wanted of ['bin/run.js', 'dist/index.js', 'dist/index.d.ts', 'dist/commands/check.js', 'schema/scenario.schema.json', 'fixtures/demo.yaml', 'fixtures/servers/demo.mjs', 'README.md']) {
      expect(files).toContain(wanted)
    }
    expect(files.filter((f) => /^(test|bench|src|\.ci)\//.test(f) || f.endsWith('.map') || f.endsWith('.test.ts') || f === 'bin/dev.js')).toEqual([])
    expect(statSync(tarball).size).toBeLessThan(1024 * 1024)
  })
})

describe('the installed command', () => {
  it('is a symlink into the package, and prints the version, Node version and platform', async () => {
    expect(lstatSync(bin).isSymbolicLink()).toBe(true)
    const {stdout} = await sh(bin, ['--version'], emptyFolder())
    expect(stdout.trim()).toBe(`faultline/${PACKAGE.version} ${process.platform}-${process.arch} node-${process.version}`)
  }, 60_000)

  it('lists the profiles from any folder', async () => {
    const {stdout} = await sh(bin, ['profiles'], emptyFolder())
    expect(stdout).toMatch(/^drop-request +The first attempt is never forwarded/m)
  }, 60_000)

  it('writes the demo example, refuses to overwrite it, and checks it with exit 0', async () => {
    const dir = emptyFolder()
    const {stdout} = await sh(bin, ['init', '--example', 'demo'], dir)
    expect(stdout).toContain('wrote demo.yaml')
    expect(existsSync(path.join(dir, 'servers', 'demo.mjs'))).toBe(true)
    const again = await attempt(bin, ['init', '--example', 'demo'], dir)
    expect(again.code).toBe(2)
    expect(again.stderr.trim().split('\n')).toHaveLength(1)
    expect(again.stderr).toContain('pass --force to overwrite')
    const check = await attempt(bin, ['check', 'demo.yaml', '--seed', '1'], dir)
    expect(check.stderr).toContain('faultline: seed 1')
    expect(check.stdout).toMatch(/(\d+) endpoints: \1 met, 0 failed/)
    expect(check.code).toBe(0)
  }, 300_000)

  it('runs through npx from a project that installed it locally', async () => {
    const project = emptyFolder()
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({name: 'uses-faultline', version: '1.0.0', private: true}))
    await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project)
    const {stdout} = await sh('npx', ['--no-install', 'faultline', '--version'], project)
    expect(stdout).toContain(`faultline/${PACKAGE.version}`)
  }, 300_000)

  it('tells a Node.js older than its engines so in one line', async () => {
    const runJs = path.join(prefix, 'lib', 'node_modules', 'faultline', 'bin', 'run.js')
    const pretend = `data:text/javascript,Object.defineProperty(process.versions, 'node', {value: '18.19.0'})`
    const result = await attempt(process.execPath, ['--import', pretend, runJs, '--version'], emptyFolder())
    const minimum = PACKAGE.engines.node.replace(/^>=/, '')
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`faultline needs Node.js ${minimum} or newer; this is Node.js 18.19.0\n`)
  }, 60_000)
})

describe('shell completion', () => {
  // Completion scripts are generated into the cache folder the user's environment names.
  async function generate(): Promise<string> {
    const cache = emptyFolder()
    await sh(bin, ['autocomplete', '--refresh-cache'], emptyFolder(), userEnv({XDG_CACHE_HOME: cache}))
    return path.join(cache, 'faultline', 'autocomplete', 'functions')
  }

  it('completes commands and flags in bash, and falls back to file names (scenario files) for arguments', async () => {
    const functions = await generate()
    // bash-completion provides the helpers completion scripts use; .ci/run installs it.
    const script = `
      source /usr/share/bash-completion/bash_completion
      source ${JSON.stringify(path.join(functions, 'bash', 'faultline.bash'))}
      complete_line() { COMP_WORDS=($1); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); COMP_LINE="$1"; COMP_POINT=\${#COMP_LINE}; _faultline_autocomplete; echo "\${COMPREPLY[*]}"; }
      complete_line "faultline ch"
      complete_line "faultline check --se"
      complete_line "faultline init --ex"
      complete -p faultline
    `
    const {stdout} = await sh('bash', ['-c', script], emptyFolder())
    const [command, seed, example, spec] = stdout.trim().split('\n')
    expect(command).toBe('check')
    expect(seed).toBe('--seed')
    expect(example).toBe('--example')
    expect(spec).toMatch(/^complete -o default -F _faultline_autocomplete faultline$/)
  }, 60_000)

  it('writes a zsh completion function that parses, with the commands, their flags and file names for arguments', async () => {
    const file = path.join(await generate(), 'zsh', '_faultline')
    await sh('zsh', ['-n', file], emptyFolder())
    const text = readFileSync(file, 'utf8')
    for (const command of ['check', 'init', 'profiles', 'proxy', 'serve']) expect(text).toMatch(new RegExp(`^"${command}:`, 'm'))
    expect(text).toContain('"--seed=-[')
    expect(text).toContain('_path_files')
  }, 60_000)
})
