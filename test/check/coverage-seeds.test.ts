import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'

// A dedup server whose check and record are separated by its work (a check-then-act race):
// only duplicates that overlap expose it. The `duplicate` profile draws among sequential,
// concurrent and delayed copies; planning must cover every variant on every seed, so no seed
// may judge at-most-once to hold.
let server: ChildProcess
let dir: string
let url: string

beforeAll(async () => {
  server = spawn(process.execPath, ['fixtures/servers/racy-dedup-counter.mjs', '--port', '0'], {stdio: ['ignore', 'pipe', 'inherit']})
  const lines = createInterface({input: server.stdout!})
  for await (const line of lines) {
    const m = /listening on (http:\/\/\S+)/.exec(line)
    if (m) {
      url = m[1] as string
      break
    }
  }
  dir = mkdtempSync(join(tmpdir(), 'fl-race-'))
})

afterAll(async () => {
  rmSync(dir, {recursive: true, force: true})
  if (server.exitCode === null) {
    server.kill('SIGKILL')
    await once(server, 'exit')
  }
})

describe('a check-then-act dedup race', () => {
  it('is found on every seed from 1 to 20 (at-most-once broken, never holds)', async () => {
    const file = join(dir, 'race.yaml')
    writeFileSync(
      file,
      `version: 1
target: { protocol: http, url: "${url}" }
client: { timeout: 500ms, attempts: 3, backoff: 10ms }
endpoints:
  - name: racy-increment
    request:
      method: POST
      path: /counters/{{key}}/increment
      headers: { Idempotency-Key: "{{requestId}}" }
      body: { by: 1 }
    effect:
      request: { method: GET, path: /counters/{{key}} }
      select: $.value
    expect: at-most-once
profiles: [duplicate]
trials: 6
`,
    )
    const scenario = await loadScenario(file)
    const verdicts: string[] = []
    for (let seed = 1; seed <= 20; seed++) {
      const result = await runCheck({scenario, scenarioArg: file, seed})
      const endpoint = result.endpoints[0]!
      verdicts.push(`${seed}:${endpoint.contracts.atMostOnce}`)
      // Every variant of the profile was planned on this seed.
      const variants = new Set(endpoint.trials.map((t) => t.variant))
      for (const v of ['duplicate(sequential)', 'duplicate(concurrent)', 'duplicate(delayed, shortest)', 'duplicate(delayed, longest)']) expect(variants).toContain(v)
    }
    expect(verdicts).toEqual(Array.from({length: 20}, (_, i) => `${i + 1}:broken`))
  })
})
