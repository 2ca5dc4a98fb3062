import {spawn} from 'node:child_process'
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {check, FaultlineError} from '../src/api.js'
import {ShardSlice} from '../src/check/shard.js'
import {loadScenario} from '../src/scenario/load-scenario.js'
import {ROOT} from './helpers/run-cli.js'
import {testDir} from './helpers/temp-dir.js'

afterEach(() => {
  vi.restoreAllMocks()
})

/** Run `node ARGS` in the repository (the demo's server commands are relative to it); collect its output. */
function node(args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
}

/** A folder holding a package that depends on faultline: node_modules/faultline is this repository. */
function consumer(): string {
  const dir = testDir('fl-consumer-')
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(ROOT, join(dir, 'node_modules', 'faultline'), 'dir')
  writeFileSync(join(dir, 'package.json'), JSON.stringify({name: 'consumer', type: 'module', private: true}))
  return dir
}

describe('the programmatic API', () => {
  it('resolves to the --json document and prints nothing', {timeout: 120_000}, async () => {
    const out = vi.spyOn(process.stdout, 'write')
    const err = vi.spyOn(process.stderr, 'write')
    const result = await check({scenario: 'fixtures/demo.yaml', seed: 6, only: 'dedup-increment', shard: '1/4'})
    expect(out).not.toHaveBeenCalled()
    expect(err).not.toHaveBeenCalled()
    expect(result.version).toBe(1)
    expect(result.seed).toBe(6)
    expect(result.serverLog).toBeUndefined()
    expect(result.shard).toEqual({index: 1, total: 4, plan: [{name: 'dedup-increment', trials: 40}]})
    const scenario = await loadScenario('fixtures/demo.yaml')
    const dedup = scenario.endpoints.filter((e) => e.name === 'dedup-increment')
    const [endpoint] = result.endpoints
    expect(endpoint?.trials.map((t) => t.id)).toEqual([...ShardSlice.of({index: 1, total: 4}, dedup, 6).trials(0)])
    // The deduplicating server never executes an operation twice, whatever the timing.
    expect(endpoint?.contracts.atMostOnce).not.toBe('broken')
  })

  it('rejects bad input with the CLI error codes', async () => {
    const missing = check({scenario: 'no/such/scenario.yaml'})
    await expect(missing).rejects.toBeInstanceOf(FaultlineError)
    await expect(missing).rejects.toMatchObject({code: 'FL_SCENARIO', exitCode: 2, message: expect.stringMatching(/no\/such\/scenario\.yaml: cannot read the scenario file/)})
    await expect(check({scenario: 'fixtures/demo.yaml', seed: 1, shard: '4/3'})).rejects.toMatchObject({code: 'FL_USAGE', exitCode: 2})
    await expect(check({scenario: 'fixtures/demo.yaml', shard: {index: 1, total: 2}})).rejects.toThrow(/--shard needs --seed/)
    await expect(check({scenario: 'fixtures/demo.yaml', seed: -1})).rejects.toMatchObject({code: 'FL_USAGE'})
  })

  it('stops the run when its signal is aborted, and rejects with the reason', {timeout: 120_000}, async () => {
    const controller = new AbortController()
    const reason = new Error('test over')
    const run = check({scenario: 'fixtures/demo.yaml', seed: 2, only: 'naive-increment', signal: controller.signal, onTrial: () => controller.abort(reason)})
    await expect(run).rejects.toBe(reason)
  })

  it("is imported by name from another package, with the package's own types", {timeout: 200_000}, async () => {
    const dir = consumer()
    writeFileSync(
      join(dir, 'run.mjs'),
      `import {check} from 'faultline'
const result = await check({scenario: 'fixtures/demo.yaml', seed: 3, only: 'put-value', shard: '2/8'})
process.stdout.write(JSON.stringify({version: result.version, endpoints: result.endpoints.map((e) => [e.name, e.trials.length])}))
`,
    )
    const ran = await node([join(dir, 'run.mjs')])
    expect(ran.code, ran.stderr).toBe(0)
    expect(JSON.parse(ran.stdout)).toEqual({version: 1, endpoints: [['put-value', 5]]})

    writeFileSync(
      join(dir, 'use.ts'),
      `import {check, type CheckJson, type ContractState} from 'faultline'
export async function exactlyOnce(): Promise<ContractState | undefined> {
  const result: CheckJson = await check({scenario: 'faultline.yaml', seed: 1, shard: {index: 1, total: 2}})
  return result.endpoints[0]?.contracts.exactlyOnce
}
// @ts-expect-error the scenario is a path or a loaded scenario, never a number
void check({scenario: 1})
`,
    )
    const types = join(ROOT, 'node_modules', '@types')
    const config = {compilerOptions: {module: 'Node16', moduleResolution: 'Node16', target: 'es2022', strict: true, noEmit: true, typeRoots: [types], types: ['node']}, files: ['use.ts']}
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config))
    const tsc = await node([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')])
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0)
  })
})
