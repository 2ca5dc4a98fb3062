import {describe, expect, it} from 'vitest'
import type {CheckResult} from '../../src/check/check-result.js'
import {toJsonResult} from '../../src/check/json-result.js'
import {formatHtmlReport} from '../../src/report/html/index.js'
import {layoutSequence} from '../../src/report/html/sequence-layout.js'
import {breachOf, crashTimeline, dropReplyTimeline, endpoint, result, trial} from './html-fixtures.js'

const BROKEN = {
  atLeastOnce: 'holds',
  atMostOnce: 'broken',
  exactlyOnce: 'broken',
  idempotent: 'holds',
  replyConsistent: 'unknown',
} as const

describe('sequence layout of a trial', () => {
  it('draws attempts, deliveries and replies as arrows and the fault on the proxy lane', () => {
    const layout = layoutSequence(dropReplyTimeline())
    expect(layout.lanes).toEqual(['client', 'proxy', 'server'])
    const arrows = layout.steps.filter((s) => s.to !== undefined).map((s) => `${s.kind} ${s.from}→${s.to}`)
    // The proxy's `request` and the reply head are folded into the attempt and reply-end arrows.
    expect(arrows).toEqual([
      'attempt client→proxy',
      'delivery proxy→server',
      'reply server→proxy',
      'attempt client→proxy',
      'delivery proxy→server',
      'reply server→proxy',
      'forwarded proxy→client',
    ])
    expect(layout.steps.find((s) => s.kind === 'fault')).toMatchObject({
      from: 'proxy',
      tone: 'bad',
      label: 'FAULT drop-reply at reply',
    })
    expect(layout.steps.filter((s) => s.kind === 'probe').map((s) => s.label)).toEqual([
      'probe before: 0',
      'probe after: 2',
    ])
    expect(layout.steps[0]?.at).toBe(0)
  })

  it('adds the supervisor lane for a crash, with the kill placed at kill time and the restart after it', () => {
    const layout = layoutSequence(crashTimeline())
    expect(layout.lanes).toEqual(['client', 'proxy', 'server', 'supervisor'])
    const crash = layout.steps.find((s) => s.kind === 'crash')
    const restart = layout.steps.find((s) => s.kind === 'restart')
    expect(crash).toMatchObject({from: 'supervisor', to: 'server', at: 20})
    expect(restart).toMatchObject({
      from: 'supervisor',
      to: 'server',
      at: 220,
      label: 'restarted, ready after 200 ms',
    })
    const kinds = layout.steps.map((s) => s.kind)
    expect(kinds.indexOf('crash')).toBeLessThan(kinds.indexOf('restart'))
    expect(kinds.indexOf('crash')).toBeGreaterThan(kinds.indexOf('fault'))
    expect(layout.steps.find((s) => s.label === 'probe after restart: 1')).toBeDefined()
  })
})

describe('HTML report', () => {
  it('escapes every user-provided text: endpoint names, paths, bodies, reasons, commands', () => {
    const evil = '<script>alert(1)</script>'
    const t = trial(4, dropReplyTimeline(`/x/${evil}`, `{"v":"${evil}"}`))
    t.replay = `faultline check '${evil}' --trial 4`
    const html = formatHtmlReport(
      result([
        endpoint({
          name: `"><img src=x onerror=alert(1)>${evil}`,
          met: false,
          contracts: BROKEN,
          breaches: {atMostOnce: breachOf(t, evil)},
          trials: [t],
        }),
      ]),
    )
    expect(html.match(/<script/g)).toHaveLength(1) // the report's own script, nothing else
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('data-endpoint="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;')
  })

  it('has a matrix row per endpoint, marks expectations, and a figure per breaking trial naming every contract it broke', () => {
    const t = trial(4, dropReplyTimeline())
    const html = formatHtmlReport(
      result([
        endpoint({name: 'dedup'}),
        endpoint({
          name: 'naive',
          met: false,
          contracts: BROKEN,
          breaches: {atMostOnce: breachOf(t), exactlyOnce: breachOf(t)},
          trials: [t],
        }),
      ]),
    )
    expect(html.match(/<tr data-endpoint=/g)).toHaveLength(2)
    expect(html.match(/class="state state-holds wanted" data-contract="exactlyOnce"/g)).toHaveLength(1)
    expect(html).toContain(
      '<td class="state state-broken wanted" data-contract="exactlyOnce" data-state="broken" data-label="exactly-once"><a href="#e1-breach-t4">✗ broken</a> <span class="expected">★ expected</span>',
    )
    const figures = html.match(/<figure [^>]*>/g) ?? []
    expect(figures).toEqual([
      expect.stringContaining(
        'id="e1-breach-t4" data-kind="breach" data-endpoint="naive" data-contracts="atMostOnce exactlyOnce" data-trial="4"',
      ),
    ])
    expect(html).toMatch(/data-mark="fault"/)
    expect(html).not.toMatch(/data-lane="supervisor"/)
    expect(html).toContain('data-copy="faultline check s.yaml --seed 9 --only e --trial 4"')
  })

  it('draws one figure per group of inconclusive trials, with the first trial of the group', () => {
    const crash = trial(2, crashTimeline(), 'crash-after-reply')
    const other = trial(3, crashTimeline(), 'crash-after-reply')
    const reason = 'the crash erased the first execution'
    const inconclusive = {
      atLeastOnce: [],
      atMostOnce: [
        {trial: 3, reason},
        {trial: 2, reason},
      ],
      exactlyOnce: [{trial: 2, reason}],
      idempotent: [{trial: 3, reason}],
      replyConsistent: [],
    }
    const html = formatHtmlReport(result([endpoint({name: 'ack', inconclusive, trials: [crash, other]})]))
    const figures = html.match(/<figure [^>]*>/g) ?? []
    expect(figures).toEqual([
      expect.stringContaining(
        'id="e0-inconclusive-0" data-kind="inconclusive" data-endpoint="ack" data-contracts="atMostOnce exactlyOnce idempotent" data-trial="2"',
      ),
    ])
    expect(html).toContain(
      'inconclusive in trials 2, 3: the crash erased the first execution. Drawn: trial 2 (crash-after-reply).',
    )
    expect(html).toMatch(/data-lanes="client proxy server supervisor"/)
    expect(html).toMatch(/data-mark="crash"/)
    expect(html).toMatch(/data-mark="restart"/)
    expect(html).toContain('<a class="sub" href="#e0-inconclusive-0">2 inconclusive</a>')
  })

  it('renders the same evidence from the --json document as from the result itself', () => {
    const broke = trial(4, dropReplyTimeline())
    const unsure = trial(5, crashTimeline(), 'crash-after-reply')
    const plain = trial(6, dropReplyTimeline())
    const original = result([
      endpoint({
        name: 'naive',
        met: false,
        contracts: BROKEN,
        breaches: {atMostOnce: breachOf(broke)},
        inconclusive: {
          atLeastOnce: [],
          atMostOnce: [],
          exactlyOnce: [],
          idempotent: [{trial: 5, reason: 'no duplicate arrived'}],
          replyConsistent: [],
        },
        trials: [broke, unsure, plain],
      }),
    ])
    const json = JSON.parse(JSON.stringify(toJsonResult(original))) as ReturnType<typeof toJsonResult>
    const trials = json.endpoints[0]?.trials ?? []
    // Only the inconclusive group's example carries its timeline; breach timelines are in `breaches`.
    expect(trials.map((t) => t.timeline !== undefined)).toEqual([false, true, false])
    expect(json.endpoints[0]?.inconclusiveGroups).toEqual([
      {reason: 'no duplicate arrived', contracts: ['idempotent'], trials: [5]},
    ])
    const readBack = {
      ...json,
      restarts: [],
      endpoints: json.endpoints.map((e) => ({
        ...e,
        trials: e.trials.map((t) => ({...t, timeline: t.timeline ?? []})),
      })),
    } as unknown as CheckResult
    const evidence = (html: string) => html.slice(html.indexOf('<h2 id="evidence">'))
    expect(evidence(formatHtmlReport(readBack))).toBe(evidence(formatHtmlReport(original)))
    expect(evidence(formatHtmlReport(readBack))).toMatch(/data-kind="inconclusive"/)
  })
})
