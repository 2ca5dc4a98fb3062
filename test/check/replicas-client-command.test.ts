import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {CheckResult, EndpointReport} from '../../src/check/check-result.js'
import {runCheck} from '../../src/check/run-check.js'
import type {TrialResult} from '../../src/check/trial-result.js'
import type {ProxyEvent} from '../../src/events/event-log.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {renderString} from '../../src/scenario/template.js'
import {trialEvents} from '../helpers/trial-events.js'

/**
 * The user's own client against target.replicas (client.command): each trial has its own proxy
 * listener per replica, the command gets them all, and the matching requests through any of
 * them are the trial's attempts, numbered in arrival order. Pair verdicts on seeds 1–5 with
 * fixtures/servers/replicated-counter.mjs, whose semantics are known by construction; the
 * reasoning is in fixtures/pair-failover-fetch.yaml and beside each expectation.
 */

const FILE = 'fixtures/pair-failover-fetch.yaml'
const SEEDS = [1, 2, 3, 4, 5]
// Two replicas and four primary restarts per run, on a loaded two-core machine.
const RUN_TIMEOUT = 120_000

function byName(result: CheckResult, name: string): EndpointReport {
  const endpoint = result.endpoints.find((e) => e.name === name)
  if (!endpoint) throw new Error(`no endpoint ${name}`)
  return endpoint
}

/** Which replica's listener each attempt of a trial arrived through, in attempt order. */
function attemptsByReplica(timeline: ProxyEvent[]): string[] {
  const requests = timeline.filter((e) => e.type === 'request' && e.attempt !== undefined)
  return requests.sort((a, b) => (a.attempt as number) - (b.attempt as number)).map((e) => `${e.attempt}:${e.proxy}`)
}

/** A run, and any trial's events (the result keeps the evidence timelines only). */
async function run(seed: number, command?: string): Promise<{result: CheckResult; eventsOf: (endpoint: string, t: TrialResult | undefined) => ProxyEvent[]}> {
  const scenario = await loadScenario(FILE)
  if (command && scenario.clientCommand) scenario.clientCommand.command = command
  const {events, of} = trialEvents()
  const result = await runCheck({scenario, scenarioArg: FILE, seed, events})
  expect(result.aborted).toBeUndefined()
  for (const endpoint of result.endpoints) {
    expect(endpoint.notInjected).toEqual([])
    expect(endpoint.errors).toEqual([])
  }
  return {result, eventsOf: (endpoint, t) => (t ? of(scenario.endpoints.findIndex((e) => e.name === endpoint), t.id) : [])}
}

describe('client.command against replicas: pair verdicts, seeds 1–5', {timeout: RUN_TIMEOUT}, () => {
  for (const seed of SEEDS) {
    it(`failover-fetch: sync holds exactly-once, data-only executes twice, reply-first holds at-least-once (seed ${seed})`, async () => {
      const {result, eventsOf} = await run(seed)

      // sync, crash-before-reply: the primary replicated value and id, then died before its
      // reply left; failover-fetch gets ECONNRESET and sends the same Idempotency-Key to the
      // backup, which answers with the saved reply. crash-after-reply: the client got its 200;
      // the late duplicate to the restarted primary (which copied the backup's table) is
      // deduplicated. Every replica reads 1 at the end.
      const sync = byName(result, 'sync')
      expect(sync.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds'})
      const before = sync.trials.find((t) => t.profile === 'crash-before-reply')
      // Attempt 1 through the primary's listener, attempt 2 through the backup's: one trial.
      expect(attemptsByReplica(eventsOf('sync', before))).toEqual(['1:primary', '2:backup'])

      // data-only, crash-before-reply: the value reached the backup, the id did not; the retry
      // on the backup executes again (2), and the restarted primary copies that.
      const dataOnly = byName(result, 'data-only')
      expect(dataOnly.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken'})
      expect(dataOnly.breaches.atMostOnce?.reason).toBe('executed 2 times on primary, backup after 2 deliveries')

      // reply-first, crash-before-reply: the primary died before its delayed replication, so
      // the first execution is gone everywhere; the retry on the backup performs the operation
      // once. The client's ok is backed by the effect on every replica.
      const replyFirst = byName(result, 'reply-first')
      expect(replyFirst.contracts.atLeastOnce).toBe('holds')
      expect(result.endpoints.every((e) => e.met)).toBe(true)
    })
  }

  // The same pairs with a client that never fails over: fetch-once sends one request to the
  // primary's listener ({{proxyUrl}}) and exits 2 when it gets no reply.
  const fetchOnce = "node fixtures/clients/fetch-once.mjs POST {{proxyUrl}}/$FAULTLINE_ENDPOINT/counters/{{key}}/increment --header Idempotency-Key:{{requestId}} --body '{\"by\":1}' --timeout 1000"
  for (const seed of SEEDS) {
    it(`fetch-once: reply-first under crash-before-reply loses the operation (at-least-once broken); sync keeps it (seed ${seed})`, async () => {
      const {result, eventsOf} = await run(seed, fetchOnce)

      // reply-first: the only execution died with the primary before it was replicated, and
      // nothing retries: the command exits 2 and the operation never took effect.
      const replyFirst = byName(result, 'reply-first')
      expect(replyFirst.contracts.atLeastOnce).toBe('broken')
      expect(replyFirst.breaches.atLeastOnce?.reason).toBe('the client command exited 2 and the operation never took effect')
      expect(attemptsByReplica(eventsOf('reply-first', replyFirst.trials[0]))).toEqual(['1:primary'])

      // sync: the primary replicated the write before it died, so although fetch-once failed,
      // the effect is on every replica: that trial neither supports nor breaks at-least-once
      // (docs/client-command.md). Only crash-after-reply (exit 0, effect present) tests it.
      const sync = byName(result, 'sync')
      expect(sync.contracts.atLeastOnce).toBe('holds')
      const crashBefore = sync.trials.find((t) => t.profile === 'crash-before-reply')
      expect(crashBefore).toMatchObject({outcome: 'failed', effectVisible: true})
      expect(sync.evidence.atLeastOnce).not.toContain(crashBefore?.id)
    })
  }
})

describe('client.command against replicas: concurrent trials', {timeout: RUN_TIMEOUT}, () => {
  it('never mix: each trial\'s attempts, through either replica\'s listener, are its own (seeds 1–5)', async () => {
    // drop-reply and duplicate need no crash, so the endpoint's trials run side by side. sync
    // deduplicates the retry on the backup (its id was replicated) and the duplicate on the
    // primary: one execution per trial, on every replica.
    const file = 'test/fixtures/replicas-client-concurrent.yaml'
    for (const seed of SEEDS) {
      const scenario = await loadScenario(file)
      const {events, of} = trialEvents()
      const result = await runCheck({scenario, scenarioArg: file, seed, events})
      const sync = byName(result, 'sync')
      const index = scenario.endpoints.findIndex((e) => e.name === 'sync')
      expect(sync.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'holds', exactlyOnce: 'holds'})
      const spans: Array<[number, number]> = []
      for (const t of sync.trials) {
        const timeline = of(index, t.id)
        const requests = timeline.filter((e) => e.type === 'request')
        expect(requests.length).toBeGreaterThan(0)
        // Every request in a trial's timeline is for that trial's own key (fl-RUN-0-ID).
        for (const e of requests) expect(e.path).toMatch(new RegExp(`-0-${t.id}/increment$`))
        if (t.profile === 'drop-reply') expect(attemptsByReplica(timeline)).toEqual(['1:primary', '2:backup'])
        spans.push([timeline[0]?.time ?? 0, timeline.at(-1)?.time ?? 0])
      }
      // The trials did overlap: at least two were running at the same time.
      expect(spans.some(([s1, e1], i) => spans.some(([s2, e2], j) => i !== j && s1 < e2 && s2 < e1))).toBe(true)
    }
  })
})

describe('client.command templates for replicas', () => {
  const scenario = (command: string, replicas = true) => `version: 1
target:
  protocol: http
${
  replicas
    ? `  replicas:
    - { name: primary, role: primary, url: "http://127.0.0.1:{{port}}", server: { command: "node s.mjs --port {{port}}", ready: { http: /health } } }
    - { name: backup, role: backup, url: "http://127.0.0.1:{{port}}", server: { command: "node s.mjs --port {{port}}", ready: { http: /health } } }`
    : `  url: http://127.0.0.1:1`
}
client:
  command: ${command}
endpoints:
  - name: e
    match: { method: POST }
`

  it('loads {{replicaUrls}} and {{replicaUrl.NAME}}, and renders them primary first', async () => {
    const loaded = await loadScenario('s.yaml', {text: scenario('node c.mjs {{replicaUrls}} {{replicaUrl.backup}} {{proxyUrl}}'), dir: '.'})
    const replicaUrls = [
      {name: 'primary', url: 'http://127.0.0.1:1001'},
      {name: 'backup', url: 'http://127.0.0.1:1002'},
    ]
    expect(renderString(loaded.clientCommand?.command ?? '', {replicaUrls, proxyUrl: 'http://127.0.0.1:1001'})).toBe('node c.mjs http://127.0.0.1:1001,http://127.0.0.1:1002 http://127.0.0.1:1002 http://127.0.0.1:1001')
  })

  it('renders {{replicaUrl.NAME}} for a name with a hyphen (it was left as text)', () => {
    const replicaUrls = [
      {name: 'primary', url: 'http://127.0.0.1:1001'},
      {name: 'backup-2', url: 'http://127.0.0.1:1003'},
    ]
    expect(renderString('node c.mjs {{replicaUrl.backup-2}}', {replicaUrls})).toBe('node c.mjs http://127.0.0.1:1003')
  })

  it('refuses a replica name the target does not have, and replica templates without replicas, naming file:line:column', async () => {
    await expect(loadScenario('s.yaml', {text: scenario('node c.mjs {{replicaUrl.standby}}'), dir: '.'})).rejects.toThrow(
      /^s\.yaml:8:12: client\.command: \{\{replicaUrl\.standby\}\} is not available in client\.command; allowed here: .*\{\{replicaUrls\}\}, \{\{replicaUrl\.primary\}\}, \{\{replicaUrl\.backup\}\}/,
    )
    await expect(loadScenario('s.yaml', {text: scenario('node c.mjs {{replicaUrls}}', false), dir: '.'})).rejects.toThrow(/^s\.yaml:6:12: client\.command: \{\{replicaUrls\}\} is not available in client\.command; allowed here: \{\{key\}\}/)
  })

  it('the pair fixture names its policy in its header', () => {
    const header = readFileSync('fixtures/clients/failover-fetch.mjs', 'utf8').split('\n').filter((l) => l.startsWith('//')).join('\n')
    expect(header).toMatch(/connection error, a timeout.*or a 503/s)
    expect(header).toMatch(/same Idempotency-Key/)
  })
})
