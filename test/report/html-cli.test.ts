import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'
import {testDir} from '../helpers/temp-dir.js'

const SCENARIO = 'test/fixtures/naive-expects-exactly-once.yaml'

/** `faultline check ARGS` with a TMPDIR of its own, so a run folder left behind shows. */
async function check(args: string[]) {
  const tmp = testDir('fl-html-tmp-')
  const r = await runCli(['check', ...args], {env: {TMPDIR: tmp}})
  return {...r, left: readdirSync(tmp)}
}

describe('faultline check --html (the real binary)', () => {
  it('writes the HTML report beside --json, with the breach diagram the JSON has a timeline for', async () => {
    const dir = testDir('fl-html-')
    const html = join(dir, 'report.html')
    const r = await check([SCENARIO, '--seed', '5', '--html', html, '--json'])
    expect(r.code, r.stderr).toBe(1) // the naive counter breaks its exactly-once expectation
    const json = JSON.parse(r.stdout) as {endpoints: Array<{breaches: Record<string, {trial: number; timeline: unknown[]}>}>}
    const breach = json.endpoints[0]?.breaches.atMostOnce
    expect(breach?.timeline.length).toBeGreaterThan(0)
    const page = readFileSync(html, 'utf8')
    expect(page.startsWith('<!doctype html>')).toBe(true)
    expect(page).toContain(`<figure class="evidence kind-breach" id="e0-breach-t${breach?.trial}" data-kind="breach" data-endpoint="increment"`)
    expect(page).toMatch(/data-mark="fault"/)
  })

  it('refuses to overwrite an existing file without --force, before anything runs', async () => {
    const dir = testDir('fl-html-')
    const html = join(dir, 'report.html')
    writeFileSync(html, 'mine')
    const r = await check([SCENARIO, '--html', html])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual([`faultline: --html ${html}: the file exists; remove it, choose another name, or pass --force to overwrite it`])
    expect(readFileSync(html, 'utf8')).toBe('mine')
    expect(r.left).toEqual([])
  })

  it('refuses --html and another output naming the same file', async () => {
    const dir = testDir('fl-html-')
    const out = join(dir, 'out')
    const r = await check([SCENARIO, '--junit', out, '--html', `${dir}/./out`])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual([`faultline: --junit and --html name the same file (${dir}/./out); give each output a file of its own`])
    expect(readdirSync(dir)).toEqual([])
  })
})
