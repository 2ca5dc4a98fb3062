import {writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {ProxyRegistry} from '../../src/control/proxy-registry.js'
import {ControlServer} from '../../src/control/server.js'
import {ScenarioError} from '../../src/errors.js'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {findFreePort} from '../../src/supervisor/free-port.js'
import {testDir} from '../helpers/temp-dir.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.()
})

describe('a scenario that drives a Toxiproxy-API server', () => {
  it('creates its proxies, puts each trial\'s toxic in place for the trial, and removes everything', async () => {
    // The "remote" Toxiproxy is a faultline serve in this process.
    const remoteEvents = new EventLog()
    const seen: ProxyEvent[] = []
    remoteEvents.on('event', (e) => seen.push(e))
    const registry = new ProxyRegistry({events: remoteEvents, seed: 3})
    const control = new ControlServer({registry, port: 0})
    const admin = await control.listen()
    closers.push(async () => {
      await control.close()
      await registry.close()
    })
    const serverPort = await findFreePort()
    const linkPort = await findFreePort()
    const dir = testDir('fl-toxi-')
    writeFileSync(
      join(dir, 'profiles.yaml'),
      `profiles:
  - name: slow-link
    description: 60 ms more on every reply through the link proxy.
    faults:
      - type: toxic
        proxy: link
        toxic: { type: latency, stream: downstream, attributes: { latency: 60 } }
`,
    )
    const file = join(dir, 'scenario.yaml')
    writeFileSync(
      file,
      `version: 1
target:
  protocol: http
  url: http://127.0.0.1:${linkPort}
  server:
    command: node ${resolve('fixtures/servers/counter.mjs')} --port ${serverPort}
    ready: { http: "http://127.0.0.1:${serverPort}/health" }
toxiproxy:
  url: http://${admin}
  proxies:
    - { name: link, listen: 127.0.0.1:${linkPort}, upstream: 127.0.0.1:${serverPort} }
profileFiles: [profiles.yaml]
client: { timeout: 1s, attempts: 2 }
endpoints:
  - name: increment
    request: { method: POST, path: /counters/{{key}}/increment, body: { by: 1 } }
    effect:
      request: { method: GET, path: /counters/{{key}} }
      select: $.value
    expect: at-most-once
profiles: [slow-link]
trials: 2
`,
    )
    const scenario = await loadScenario(file)
    const result = await runCheck({scenario, scenarioArg: file, seed: 4})
    const endpoint = result.endpoints[0]
    expect(endpoint?.trials.map((t) => [t.injected, t.outcome, t.executions])).toEqual([
      [true, 'ok', 1],
      [true, 'ok', 1],
    ])
    expect(endpoint?.trials[0]?.fault).toBe('toxic latency on link (downstream)')
    // A latency toxic makes no second delivery: it tests at-least-once, and nothing about duplicates.
    expect(endpoint?.contracts.atLeastOnce).toBe('holds')
    expect(endpoint?.contracts.atMostOnce).toBe('unknown')
    // The remote server saw the toxic applied to the trial's connections…
    expect(seen.some((e) => e.type === 'toxic' && e.detail?.applied === true)).toBe(true)
    // …and after the run neither the toxics nor the proxy are left behind.
    expect(registry.list()).toEqual({})
  })

  it('rejects a toxic profile when the scenario names no toxiproxy server', async () => {
    const dir = testDir('fl-toxi-')
    writeFileSync(join(dir, 'p.yaml'), 'profiles:\n  - name: lag\n    description: lag\n    faults:\n      - { type: toxic, proxy: db, toxic: { type: latency } }\n')
    const file = join(dir, 's.yaml')
    writeFileSync(file, 'version: 1\ntarget: { protocol: http, url: "http://127.0.0.1:1" }\nprofileFiles: [p.yaml]\nendpoints:\n  - name: e\n    request: { method: GET, path: / }\nprofiles: [lag]\n')
    await expect(loadScenario(file)).rejects.toThrow(ScenarioError)
    await expect(loadScenario(file)).rejects.toThrow(/s\.yaml:7:\d+: profiles\[0\]: profile "lag" has toxic faults, which need a toxiproxy server/)
  })
})

describe('crash profiles without a server faultline runs', () => {
  it('are rejected when the scenario loads, at the profile that needs the server', async () => {
    const dir = testDir('fl-crash-')
    const file = join(dir, 's.yaml')
    writeFileSync(file, 'version: 1\ntarget: { protocol: http, url: "http://127.0.0.1:1" }\nendpoints:\n  - name: e\n    request: { method: GET, path: / }\nprofiles: [drop-reply, crash-after-reply]\n')
    await expect(loadScenario(file)).rejects.toThrow(/s\.yaml:6:\d+: profiles\[1\]: profile "crash-after-reply" crashes the server, which faultline can only do to a server it starts/)
  })
})
