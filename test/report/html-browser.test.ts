import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import type {CheckResult} from '../../src/check/check-result.js'
import {inconclusiveGroups} from '../../src/check/inconclusive-groups.js'
import {runCheck} from '../../src/check/run-check.js'
import {CONTRACT_ORDER} from '../../src/check/verdict.js'
import {anchors} from '../../src/report/html/anchors.js'
import {formatHtmlReport} from '../../src/report/html/index.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {ROOT} from '../helpers/run-cli.js'

/** Debian's package; .ci/run installs it when it is missing. */
const CHROMIUM = '/usr/bin/chromium'
/** Headless, and quiet: no first-run work, no background or update traffic of its own. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
/** Screenshots for a human to look at (gitignored). */
const ARTIFACTS = join(ROOT, 'test-artifacts')

let result: CheckResult
let dir: string
let file: string
let browser: Browser | undefined
const contexts: BrowserContext[] = []

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `the HTML report test needs headless Chromium at ${CHROMIUM}: run apt-get install -y chromium (.ci/run does)`,
    )
  const scenario = await loadScenario('fixtures/demo.yaml')
  // Fewer trials, and a client timeout a loaded machine does not reach by itself: the broken
  // contracts (naive-increment, dedup-after-crash, ack-first-increment) are so by construction.
  for (const endpoint of scenario.endpoints) endpoint.trials = Math.min(endpoint.trials, 4)
  scenario.client.timeout = 1000
  result = await runCheck({scenario, scenarioArg: 'fixtures/demo.yaml', seed: 7})
  dir = mkdtempSync(join(tmpdir(), 'fl-html-'))
  file = join(dir, 'report.html')
  writeFileSync(file, formatHtmlReport(result))
  mkdirSync(ARTIFACTS, {recursive: true})
  browser = await chromium.launch({executablePath: CHROMIUM, args: CHROMIUM_ARGS})
}, 180_000)

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()))
})

afterAll(async () => {
  await browser?.close()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

interface Opened {
  page: Page
  /** Console errors and warnings, and uncaught page errors. */
  problems: string[]
  /** Every URL the page asked for. */
  requests: string[]
}

async function open(options: BrowserContextOptions = {}): Promise<Opened> {
  const context = await (browser as Browser).newContext({viewport: {width: 1280, height: 900}, ...options})
  contexts.push(context)
  const page = await context.newPage()
  const problems: string[] = []
  const requests: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('request', (r) => requests.push(r.url()))
  await page.goto(pathToFileURL(file).href)
  return {page, problems, requests}
}

/** WCAG contrast ratio of two computed `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, bl] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
    }) as [number, number, number]
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl
  }
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}

describe('HTML report of the demo in headless Chromium', {timeout: 90_000}, () => {
  it('opens from disk, loads nothing else, logs no error, and has a matrix row per endpoint', async () => {
    const {page, problems, requests} = await open()
    expect(await page.title()).toBe('faultline check fixtures/demo.yaml')
    const rows = page.locator('table[data-matrix] tbody tr')
    expect(await rows.count()).toBe(result.endpoints.length)
    for (const [i, e] of result.endpoints.entries()) {
      expect(await rows.nth(i).getAttribute('data-endpoint')).toBe(e.name)
      for (const name of CONTRACT_ORDER)
        expect(await rows.nth(i).locator(`td[data-contract="${name}"]`).getAttribute('data-state')).toBe(
          e.contracts[name],
        )
    }
    await page.screenshot({path: join(ARTIFACTS, 'report-light.png'), fullPage: true})
    expect(problems).toEqual([])
    expect(requests).toEqual([pathToFileURL(file).href])
  })

  it('has a sequence diagram for every broken contract, with its lanes, its fault mark and the supervisor when it crashed', async () => {
    const {page, problems} = await open()
    let crashed = 0
    for (const [i, e] of result.endpoints.entries()) {
      for (const name of CONTRACT_ORDER) {
        const breach = e.breaches[name]
        if (!breach) continue
        const id = anchors.breach(i, breach.trial)
        const figure = page.locator(`figure#${id}`)
        expect(await figure.getAttribute('data-endpoint')).toBe(e.name)
        expect((await figure.getAttribute('data-contracts'))?.split(' ')).toContain(name)
        expect(
          await page.locator(`tr:nth-child(${i + 1}) td[data-contract="${name}"] a[href="#${id}"]`).count(),
        ).toBe(1)
        const svg = figure.locator('svg.sequence')
        expect(await svg.isVisible()).toBe(true)
        for (const lane of ['client', 'proxy', 'server'])
          expect(await svg.locator(`[data-lane="${lane}"]`).count(), `${e.name} ${name} lane ${lane}`).toBe(1)
        expect(await svg.locator('[data-mark="fault"]').count()).toBeGreaterThan(0)
        const crash = breach.timeline.some((ev) => ev.type === 'supervisor')
        expect(await svg.locator('[data-lane="supervisor"]').count()).toBe(crash ? 1 : 0)
        if (crash) {
          crashed += 1
          expect(await svg.locator('[data-mark="crash"]').count()).toBe(1)
          expect(await svg.locator('[data-mark="restart"]').count()).toBe(1)
        }
        expect(await figure.locator('code').textContent()).toBe(breach.replay)
      }
      for (const [g, group] of inconclusiveGroups(e).entries()) {
        const figure = page.locator(`figure#${anchors.inconclusive(i, g)}`)
        expect(await figure.getAttribute('data-trial')).toBe(String(group.trials[0]))
        expect(await figure.locator('svg.sequence [data-lane="server"]').count()).toBe(1)
      }
    }
    // dedup-after-crash and ack-first-increment are broken by crash-after-reply by construction.
    expect(crashed).toBeGreaterThan(0)
    expect(problems).toEqual([])
  })

  it('copies a replay command with the keyboard alone: Tab to a Copy button, then Enter or Space', async () => {
    const {page, problems} = await open({permissions: ['clipboard-read', 'clipboard-write']})
    const active = () =>
      page.evaluate<string | null>(
        `document.activeElement && document.activeElement.matches('button.copy') ? document.activeElement.getAttribute('data-copy') : null`,
      )
    const tabToCopyButton = async () => {
      for (let i = 0; i < 200; i++) {
        await page.keyboard.press('Tab')
        const command = await active()
        if (command !== null) return command
      }
      throw new Error('no Copy button reached with Tab')
    }
    for (const key of ['Enter', 'Space']) {
      const command = await tabToCopyButton()
      await page.keyboard.press(key)
      // Locators, not a page function: the report's content security policy forbids eval.
      await page
        .getByRole('status')
        .filter({hasText: `Copied: ${command}`})
        .waitFor({state: 'attached', timeout: 10_000})
      expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(command)
    }
    expect(problems).toEqual([])
  })

  it('switches to dark colours with prefers-color-scheme: dark, keeping text readable', async () => {
    const colours = async (page: Page) =>
      JSON.parse(
        await page.evaluate<string>(`JSON.stringify((() => {
          const style = (s) => getComputedStyle(document.querySelector(s))
          return {
            bgVar: getComputedStyle(document.documentElement).getPropertyValue('--bg').trim(),
            fg: style('body').color, bg: style('body').backgroundColor,
            brokenFg: style('td.state-broken').color, brokenBg: style('td.state-broken').backgroundColor,
            holdsFg: style('td.state-holds').color, holdsBg: style('td.state-holds').backgroundColor,
            svgText: style('svg.sequence .lane-name').fill,
          }
        })())`),
      ) as Record<string, string>
    const light = await colours((await open()).page)
    const {page, problems} = await open({colorScheme: 'dark'})
    const dark = await colours(page)
    expect(dark.bgVar).not.toBe(light.bgVar)
    expect(dark.bg).not.toBe(light.bg)
    for (const c of [light, dark]) {
      expect(contrast(c.fg as string, c.bg as string)).toBeGreaterThanOrEqual(7)
      expect(contrast(c.brokenFg as string, c.brokenBg as string)).toBeGreaterThanOrEqual(4.5)
      expect(contrast(c.holdsFg as string, c.holdsBg as string)).toBeGreaterThanOrEqual(4.5)
      expect(contrast(c.svgText as string, c.bg as string)).toBeGreaterThanOrEqual(7)
    }
    await page.screenshot({path: join(ARTIFACTS, 'report-dark.png'), fullPage: true})
    expect(problems).toEqual([])
  })

  it('at 200 % zoom the matrix fits the window: nothing overflows sideways', async () => {
    // A 1280 px window at 200 % zoom lays the page out 640 CSS pixels wide, at two device pixels each.
    const {page, problems} = await open({viewport: {width: 640, height: 900}, deviceScaleFactor: 2})
    const fit = JSON.parse(
      await page.evaluate<string>(`JSON.stringify({
        page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth,
        matrixRight: document.querySelector('table[data-matrix]').getBoundingClientRect().right,
      })`),
    ) as {page: number; window: number; matrixRight: number}
    expect(fit.page).toBeLessThanOrEqual(fit.window)
    expect(fit.matrixRight).toBeLessThanOrEqual(fit.window)
    await page.screenshot({path: join(ARTIFACTS, 'report-zoom-200.png'), fullPage: true})
    expect(problems).toEqual([])
  })
})
