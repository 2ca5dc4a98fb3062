import {describe, expect, it} from 'vitest'
import {edit, loadFailure, loadText} from './helpers.js'

const REPLICAS = `version: 1
target:
  protocol: http
  replicas:
    - name: primary
      role: primary
      url: http://127.0.0.1:{{port}}
      server:
        command: node fixtures/servers/replicated-counter.mjs --role primary --port {{port}} --peer {{replicationUrl}}
        ready: { http: /health }
    - name: backup
      role: backup
      url: http://127.0.0.1:{{port}}
      server:
        command: node fixtures/servers/replicated-counter.mjs --role backup --port {{port}}
endpoints:
  - name: increment
    request: { method: POST, path: /sync/counters/{{key}}/increment }
    effect:
      request: { method: GET, path: /sync/counters/{{key}} }
      select: $.value
      replica: backup
`

describe('target.replicas', () => {
  it('keeps every replica; the primary stands in as target.url and target.server', async () => {
    const scenario = await loadText(REPLICAS)
    expect(scenario.target.replicas?.map((r) => [r.name, r.role, r.url])).toEqual([
      ['primary', 'primary', 'http://127.0.0.1:{{port}}'],
      ['backup', 'backup', 'http://127.0.0.1:{{port}}'],
    ])
    expect(scenario.target.url).toBe('http://127.0.0.1:{{port}}')
    expect(scenario.target.server?.command).toContain('--role primary')
    expect(scenario.target.replicas?.[1]?.server.ready).toEqual({kind: 'tcp'})
    expect(scenario.endpoints[0]?.effect?.replica).toBe('backup')
  })

  it('refuses url and replicas together', async () => {
    expect(await loadFailure(edit(REPLICAS, ['  protocol: http\n', '  protocol: http\n  url: http://127.0.0.1:4100\n']))).toBe(
      'scenario.yaml:4:3: target.url: give target.url or target.replicas, not both; each replica names its own url',
    )
  })

  it('needs exactly one primary', async () => {
    expect(await loadFailure(edit(REPLICAS, ['role: primary', 'role: backup']))).toBe(
      'scenario.yaml:6:13: target.replicas[0].role: no replica has role primary; write role: primary on the one the client should try first',
    )
    expect(await loadFailure(edit(REPLICAS, ['role: backup', 'role: primary']))).toBe(
      'scenario.yaml:12:13: target.replicas[1].role: a second primary (the first is replicas[0]); write role: backup',
    )
  })

  it('needs unique names, a server each, and http', async () => {
    expect(await loadFailure(edit(REPLICAS, ['name: backup', 'name: primary']))).toBe(
      'scenario.yaml:11:13: target.replicas[1].name: replica name "primary" is already used by replicas[0]; choose another name',
    )
    expect(await loadFailure(edit(REPLICAS, ['{{port}} --peer {{replicationUrl}}', '{{port}} --peer {{proxyUrl}}']))).toMatch(
      /^scenario\.yaml:9:18: target\.replicas\[0\]\.server\.command: \{\{proxyUrl\}\} is not available in target\.server; allowed here: \{\{port\}\}, \{\{runDir\}\}, \{\{replicationUrl\}\}, \{\{env\.NAME\}\}$/,
    )
    expect(await loadFailure(edit(REPLICAS, ['      url: http://127.0.0.1:{{port}}\n', '      url: tcp://127.0.0.1:{{port}}\n']))).toBe(
      'scenario.yaml:7:12: target.replicas[0].url: must be an http:// URL such as http://127.0.0.1:{{port}} (got "tcp://127.0.0.1:{{port}}")',
    )
  })

  it('refuses a target with neither url nor replicas, and effect.replica without replicas', async () => {
    const single = `version: 1
target:
  protocol: http
endpoints:
  - name: read
    request: { method: GET, path: /x }
`
    expect(await loadFailure(single)).toBe('scenario.yaml:3:3: target: missing required field "url" (Base URL of the server under test, e.g. http://127.0.0.1:4100; may hold {{port}})')
    const withUrl = edit(single, ['  protocol: http\n', '  protocol: http\n  url: http://127.0.0.1:4100\n'])
    expect(await loadFailure(`${withUrl}    effect:\n      request: { method: GET, path: /x }\n      select: $.n\n      replica: backup\n`)).toBe(
      'scenario.yaml:11:7: endpoints[0].effect.replica: names a replica, but the target has none; remove replica, or give target.replicas',
    )
  })

  it('refuses faults across replicas on one server, a link nobody replicates over, and probing a primary left down', async () => {
    const single = `version: 1
target:
  protocol: http
  url: http://127.0.0.1:{{port}}
  server:
    command: node fixtures/servers/counter.mjs --port {{port}}
endpoints:
  - name: increment
    request: { method: POST, path: /x }
`
    expect(await loadFailure(`${single}profiles: [crash-primary-after-reply]\n`)).toBe(
      'scenario.yaml:10:12: profiles[0]: profile "crash-primary-after-reply" crashes the primary of replicated servers (restart: after-probe), but this target has no replicas; use crash-after-reply on one server, or give target.replicas',
    )
    expect(await loadFailure(`${single}profiles: [crash-after-reply, partition-primary]\n`)).toBe(
      'scenario.yaml:10:31: profiles[1]: profile "partition-primary" injects partition-primary, which acts across replicas: give target.replicas (a primary and its backups), or choose a profile for one server',
    )
    expect(await loadFailure(`${single}profiles: [replication-drop]\n`)).toMatch(/^scenario\.yaml:10:12: profiles\[0\]: profile "replication-drop" injects replication-drop, which acts across replicas/)
    const noLink = edit(REPLICAS, ['--port {{port}} --peer {{replicationUrl}}', '--port {{port}}'])
    expect(await loadFailure(`${noLink}profiles: [replication-delay]\n`)).toBe(
      'scenario.yaml:23:12: profiles[0]: profile "replication-delay" faults the replication link, but the primary\'s server command never writes {{replicationUrl}}; pass {{replicationUrl}} to the primary as the address it replicates to',
    )
    expect(await loadFailure(edit(`${REPLICAS}profiles: [crash-primary-before-reply-left-down]\n`, ['      replica: backup\n', '']))).toBe(
      'scenario.yaml:22:12: profiles[0]: profile "crash-primary-before-reply-left-down" leaves the primary down for the rest of the trial, so endpoint increment\'s effect probe cannot read the primary; write effect.replica: backup',
    )
    const ok = await loadText(`${REPLICAS}profiles: [crash-primary-after-reply-left-down, partition-primary, replication-drop]\n`)
    expect(ok.endpoints[0]?.profiles).toEqual(['crash-primary-after-reply-left-down', 'partition-primary', 'replication-drop'])
  })
})
