import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {testDir} from '../helpers/temp-dir.js'
import {liveGroupMembers} from '../supervisor/helpers.js'

const FIXTURE = join(process.cwd(), 'fixtures/servers/replicated-counter.mjs')

describe('replicated targets: environment failures', () => {
  it('a primary that will not start is exit 3, and the backup already started is stopped', async () => {
    const dir = testDir('fl-replicas-env-')
    const file = join(dir, 'scenario.yaml')
    writeFileSync(
      file,
      `version: 1
target:
  protocol: http
  replicas:
    - name: primary
      role: primary
      url: http://127.0.0.1:{{port}}
      server:
        command: "echo primary refusing to start >&2; exit 4"
        ready: { http: /health }
    - name: backup
      role: backup
      url: http://127.0.0.1:{{port}}
      server:
        command: node ${FIXTURE} --role backup --port {{port}}
        ready: { http: /health }
endpoints:
  - name: increment
    request: { method: POST, path: /sync/counters/{{key}}/increment, headers: { Idempotency-Key: "{{requestId}}" } }
`,
    )
    const scenario = await loadScenario(file)
    const events = new EventLog()
    const seen: ProxyEvent[] = []
    events.on('event', (e) => seen.push(e))
    const error = await runCheck({scenario, scenarioArg: file, seed: 1, events}).then(
      () => undefined,
      (e: unknown) => e as {exitCode?: number; message: string},
    )
    expect(error?.exitCode).toBe(3)
    expect(error?.message).toMatch(/primary refusing to start/)
    expect(error?.message).not.toContain('\n    at ')
    const backup = seen.filter((e) => e.proxy === 'backup' && e.type === 'supervisor' && e.detail?.action === 'started').map((e) => Number(e.detail?.pid))
    expect(backup.length).toBe(1)
    for (const pgid of backup) expect(liveGroupMembers(pgid)).toEqual([])
  })
})
