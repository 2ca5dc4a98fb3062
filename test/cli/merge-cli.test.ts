import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli, type CliResult} from '../helpers/run-cli.js'

/**
 * The real binary: two shards of one endpoint of the demo, merged, and saved results rendered
 * again. (That merging gives the unsharded result is proven in test/check/shard-merge.test.ts.)
 */
describe('faultline merge and faultline report (the real binary)', () => {
  let dir: string
  const run = (args: string[]): Promise<CliResult> => runCli(args, {env: {TMPDIR: join(dir, 'tmp')}})
  const path = (name: string) => join(dir, name)
  const write = (name: string, text: string) => (writeFileSync(path(name), text), path(name))
  const shardJson = (i: number) => JSON.parse(readFileSync(path(`shard-${i}.json`), 'utf8')) as Record<string, unknown> & {endpoints: Array<{trials: unknown[]}>}
  /** One line on stderr, no stack trace, exit 2. */
  const refused = (r: CliResult) => {
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fl-merge-'))
    mkdirSync(join(dir, 'tmp'))
    for (const i of [1, 2]) {
      const r = await run(['check', 'fixtures/demo.yaml', '--only', 'naive-increment', '--seed', '4', '--shard', `${i}/2`, '--json'])
      // A shard's verdicts cover its slice only: it exits 0 and leaves the verdict to merge.
      expect(r.code, r.stderr).toBe(0)
      writeFileSync(join(dir, `shard-${i}.json`), r.stdout)
    }
  }, 180_000)
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('merges the shards into one result, and report renders the saved result the same way', {timeout: 180_000}, async () => {
    const merged = await run(['merge', path('shard-2.json'), path('shard-1.json'), '--junit', path('merged.xml'), '--markdown', path('merged.md'), '--html', path('merged.html')])
    const json = await run(['merge', path('shard-1.json'), path('shard-2.json'), '--json'])
    const result = JSON.parse(json.stdout) as {ok: boolean; shard?: unknown; endpoints: Array<{name: string; trials: Array<{id: number}>}>}
    expect(result.shard).toBeUndefined()
    expect(result.endpoints.map((e) => e.name)).toEqual(['naive-increment'])
    expect(result.endpoints[0]?.trials.map((t) => t.id)).toEqual(Array.from({length: 40}, (_, i) => i + 1))
    expect(merged.code, merged.stderr).toBe(result.ok ? 0 : 1)
    expect(json.code).toBe(merged.code)
    expect(merged.stdout).toMatch(/naive-increment .* 40 trials/)
    expect(merged.stdout).toMatch(/✗ at-most-once broken by trial \d+/)

    write('merged.json', json.stdout)
    const again = await run(['report', path('merged.json'), '--junit', path('again.xml'), '--markdown', path('again.md'), '--html', path('again.html')])
    expect(again.code).toBe(merged.code)
    expect(again.stdout).toBe(merged.stdout)
    expect(readFileSync(path('again.xml'), 'utf8')).toBe(readFileSync(path('merged.xml'), 'utf8'))
    expect(readFileSync(path('again.md'), 'utf8')).toBe(readFileSync(path('merged.md'), 'utf8'))
    expect(readFileSync(path('again.html'), 'utf8')).toBe(readFileSync(path('merged.html'), 'utf8'))
    expect(readFileSync(path('again.xml'), 'utf8')).toMatch(/<failure|<testcase/)
    expect(readFileSync(path('again.html'), 'utf8')).toMatch(/^<!doctype html>[^]*kind-breach/)
  })

  for (const [scenario, args] of [
    ['fixtures/demo.yaml', ['--only', 'naive-increment', '--seed', '4']],
    ['fixtures/idempotency-key.yaml', ['--seed', '1']],
  ] as const) {
    it(`report renders a saved check --json of ${scenario} as check wrote its reports (durations aside)`, {timeout: 180_000}, async () => {
      const name = scenario.replace(/\W/g, '-')
      const out = (kind: string, ext: string) => path(`${name}-${kind}.${ext}`)
      // Shrinking on (the default), so the result has minimal cases to carry.
      const checked = await run(['check', scenario, ...args, '--json', '--junit', out('check', 'xml'), '--markdown', out('check', 'md'), '--html', out('check', 'html')])
      // 0 or 1 by the scenario's expectations; anything else is not a finished run.
      expect([0, 1], checked.stderr).toContain(checked.code)
      write(`${name}.json`, checked.stdout)
      const reported = await run(['report', path(`${name}.json`), '--junit', out('report', 'xml'), '--markdown', out('report', 'md'), '--html', out('report', 'html')])
      expect(reported.code, reported.stderr).toBe(checked.code)
      const json = await run(['report', path(`${name}.json`), '--json'])
      expect(json.stdout).toBe(checked.stdout)
      // The run's own reports used its unrounded durations; the saved result has them to the millisecond.
      const minusDurations = (text: string) => text.replace(/time="[\d.]+"/g, 'time=""').replace(/\b\d+\.\d s\b/g, 'N s')
      for (const ext of ['xml', 'md', 'html']) {
        expect(minusDurations(readFileSync(out('report', ext), 'utf8')), ext).toBe(minusDurations(readFileSync(out('check', ext), 'utf8')))
      }
      const saved = JSON.parse(checked.stdout) as {endpoints: Array<{minimal: object; conformance?: unknown[]}>}
      expect(saved.endpoints.some((e) => Object.keys(e.minimal).length > 0 || (e.conformance?.length ?? 0) > 0)).toBe(true)
    })
  }

  it('names a missing shard, a shard given twice, and shards of another run', {timeout: 180_000}, async () => {
    const missing = await run(['merge', path('shard-1.json')])
    refused(missing)
    expect(missing.stderr).toMatch(/missing shard 2\/2 \(have 1\/2 from .*shard-1\.json\)/)

    const twice = await run(['merge', path('shard-1.json'), path('shard-1.json')])
    refused(twice)
    expect(twice.stderr).toMatch(/shard-1\.json: shard 1\/2 is also .*shard-1\.json; give each shard once/)

    const other = write('seed-5.json', JSON.stringify({...shardJson(2), seed: 5}))
    const seeds = await run(['merge', path('shard-1.json'), other])
    refused(seeds)
    expect(seeds.stderr).toMatch(/seed-5\.json: seed 5, but .*shard-1\.json has 4/)

    const cut = shardJson(2)
    cut.endpoints[0]?.trials.pop()
    const edited = await run(['merge', path('shard-1.json'), write('cut.json', JSON.stringify(cut))])
    refused(edited)
    expect(edited.stderr).toMatch(/cut\.json: endpoint naive-increment has trials .* but shard 2\/2 plans .*; the file was cut or changed/)
  })

  it('refuses a result file that is cut short, of another version or of the wrong shape, at file:line:column', {timeout: 180_000}, async () => {
    const text = readFileSync(path('shard-1.json'), 'utf8')
    const short = await run(['report', write('short.json', text.slice(0, 2000))])
    refused(short)
    expect(short.stderr).toMatch(/short\.json:\d+:\d+: not valid JSON \(.*\); was the file cut short\?/)

    const newer = await run(['report', write('v2.json', text.replace('"version": 1', '"version": 2'))])
    refused(newer)
    expect(newer.stderr).toMatch(/v2\.json:2:\d+: version: result format 2 is not one this faultline reads \(1\)/)

    const wrong = await run(['merge', write('bad.json', text.replace(/"outcome": "\w+"/, '"outcome": "fine"')), path('shard-2.json')])
    refused(wrong)
    expect(wrong.stderr).toMatch(/bad\.json:\d+:\d+: endpoints\[0\]\.trials\[0\]\.outcome: must be one of ok, failed, indeterminate \(got "fine"\)/)

    const none = await run(['report', path('nothing.json')])
    refused(none)
    expect(none.stderr).toMatch(/nothing\.json: cannot read the result file: no such file/)

    const unsharded = await run(['merge', write('plain.json', JSON.stringify({...shardJson(1), shard: undefined}))])
    refused(unsharded)
    expect(unsharded.stderr).toMatch(/plain\.json: no shard field/)
  })
})
