import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {EXIT, ScenarioError} from '../../src/errors.js'
import {loadScenario, SCENARIO_DEFAULTS} from '../../src/scenario/load-scenario.js'
import {BUILTIN_PROFILES} from '../../src/scenario/profiles.js'
import type {RequestTemplate} from '../../src/scenario/types.js'
import {EXAMPLE, MINIMAL, edit, writeFiles} from './helpers.js'

/** Write `text` as scenario.yaml (plus extra files) and load it. */
async function load(text: string, extra: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  const dir = writeFiles({'scenario.yaml': text, ...extra})
  const file = path.join(dir, 'scenario.yaml')
  return {file, dir, scenario: await loadScenario(file, {env})}
}

/** The one-line message loading `text` fails with, with the temp file name replaced by `s.yaml`. */
async function failure(
  text: string,
  extra: Record<string, string> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const dir = writeFiles({'scenario.yaml': text, ...extra})
  const file = path.join(dir, 'scenario.yaml')
  const error = await loadScenario(file, {env}).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ScenarioError)
  const scenarioError = error as ScenarioError
  expect(scenarioError.code).toBe('FL_SCENARIO')
  expect(scenarioError.exitCode).toBe(EXIT.usage)
  expect(scenarioError.message).not.toContain('\n')
  return scenarioError.message.replaceAll(dir + path.sep, '')
}

describe('loadScenario: the design example', () => {
  it('loads with typed values and defaults', async () => {
    const {scenario, file, dir} = await load(EXAMPLE)
    expect(scenario.file).toBe(file)
    expect(scenario.dir).toBe(dir)
    expect(scenario.version).toBe(1)
    expect(scenario.target).toEqual({
      protocol: 'http',
      url: 'http://127.0.0.1:4100',
      server: {
        command: 'node fixtures/servers/counter.mjs --port 4100',
        env: {},
        ready: {kind: 'http', path: '/health'},
        startupTimeout: 10_000,
      },
    })
    expect(scenario.client).toEqual({
      timeout: 300,
      attempts: 4,
      backoff: 20,
      backoffFactor: 2,
      retryOn: [408, 425, 429, 500, 502, 503, 504],
    })
    expect(scenario.endpoints).toEqual([
      {
        name: 'increment',
        request: {
          method: 'POST',
          path: '/counters/{{key}}/increment',
          headers: {'Idempotency-Key': '{{requestId}}'},
          body: {by: 1},
        },
        effect: {
          request: {method: 'GET', path: '/counters/{{key}}', headers: {}},
          select: '$.value',
          oracle: 'auto',
          volatile: [],
        },
        expect: ['exactly-once'],
        volatileReplyFields: [],
        profiles: ['drop-request', 'drop-reply', 'duplicate', 'delay-past-timeout'],
        trials: 10,
        positions: {
          request: {file: expect.stringMatching(/\.yaml$/), line: 15, column: 7},
          select: {file: expect.stringMatching(/\.yaml$/), line: 21, column: 15},
        },
      },
    ])
    expect(scenario.profiles).toEqual(['drop-request', 'drop-reply', 'duplicate', 'delay-past-timeout'])
    expect(scenario.trials).toBe(10)
    expect(scenario.settle).toBe(50)
    expect(scenario.concurrency).toBe(8)
    expect(scenario.seed).toBeUndefined()
    expect(scenario.profileFiles).toEqual([])
    expect([...scenario.profileCatalog.keys()]).toEqual(BUILTIN_PROFILES.map((p) => p.name))
  })

  it('fills every default for a minimal scenario', async () => {
    const {scenario} = await load(MINIMAL)
    expect(scenario.target).toEqual({protocol: 'http', url: 'http://127.0.0.1:4100'})
    expect(scenario.client).toEqual(SCENARIO_DEFAULTS.client)
    expect(scenario.client).toEqual({
      timeout: 1000,
      attempts: 3,
      backoff: 50,
      backoffFactor: 2,
      retryOn: [408, 425, 429, 500, 502, 503, 504],
    })
    expect(scenario.endpoints[0]).toEqual({
      name: 'put',
      request: {method: 'PUT', path: '/things/{{key}}', headers: {}},
      expect: [],
      volatileReplyFields: [],
      profiles: ['drop-request', 'drop-reply', 'duplicate', 'delay-past-timeout'],
      trials: 10,
      positions: {request: expect.objectContaining({line: expect.any(Number)})},
    })
    expect('body' in (scenario.endpoints[0]?.request ?? {})).toBe(false)
    expect(scenario.profiles).toEqual(['drop-request', 'drop-reply', 'duplicate', 'delay-past-timeout'])
    expect([scenario.trials, scenario.settle, scenario.concurrency]).toEqual([10, 50, 8])
  })

  it('gives each endpoint its own copy of the default lists', async () => {
    const {scenario} = await load(MINIMAL)
    expect(scenario.endpoints[0]?.profiles).not.toBe(scenario.profiles)
    expect(scenario.client.retryOn).not.toBe(SCENARIO_DEFAULTS.client.retryOn)
  })

  it('reads every optional field', async () => {
    const text = `version: 1
target:
  protocol: http
  url: http://127.0.0.1:{{port}}
  server:
    command: node server.mjs --port {{port}}
    cwd: servers
    env: { PORT: "{{port}}", DEBUG: 1, TOKEN: "{{env.TOKEN}}" }
    ready: { log: "listening on \\\\d+" }
    startupTimeout: 2.5s
client:
  timeout: 2s
  attempts: 1
  backoff: 0
  backoffFactor: 1.5
  retryOn: [503]
endpoints:
  - name: create-order
    request:
      method: POST
      path: /orders
      headers: { Idempotency-Key: {{requestId}}, X-Attempt: "{{attempt}}", X-Count: 3 }
      body: { id: "{{uuid}}", trial: "{{trial}}", items: [1, 2], note: null }
    effect:
      request: { method: GET, path: "/orders?key={{key}}" }
      select: $.orders
      oracle: state
      volatile: [$.updatedAt]
    expect: at-most-once
    volatile: [$.id, "$.items[*].createdAt"]
    profiles: [crash-after-reply]
    trials: 3
  - name: other
    request: { method: DELETE, path: /x/{{key}}, body: null }
profiles: [duplicate]
trials: 5
settle: 1s
concurrency: 2
seed: 42
`
    const {scenario, dir} = await load(text, {}, {TOKEN: 't'})
    expect(scenario.target.url).toBe('http://127.0.0.1:{{port}}')
    expect(scenario.target.server).toEqual({
      command: 'node server.mjs --port {{port}}',
      cwd: path.join(dir, 'servers'),
      env: {PORT: '{{port}}', DEBUG: '1', TOKEN: '{{env.TOKEN}}'},
      ready: {kind: 'log', pattern: 'listening on \\d+'},
      startupTimeout: 2500,
    })
    expect(scenario.client).toEqual({
      timeout: 2000,
      attempts: 1,
      backoff: 0,
      backoffFactor: 1.5,
      retryOn: [503],
    })
    const [order, other] = scenario.endpoints
    expect(order).toEqual({
      name: 'create-order',
      request: {
        method: 'POST',
        path: '/orders',
        headers: {'Idempotency-Key': '{{requestId}}', 'X-Attempt': '{{attempt}}', 'X-Count': '3'},
        body: {id: '{{uuid}}', trial: '{{trial}}', items: [1, 2], note: null},
      },
      effect: {
        request: {method: 'GET', path: '/orders?key={{key}}', headers: {}},
        select: '$.orders',
        oracle: 'state',
        volatile: ['$.updatedAt'],
      },
      expect: ['at-most-once'],
      volatileReplyFields: ['$.id', '$.items[*].createdAt'],
      profiles: ['crash-after-reply'],
      trials: 3,
      positions: {request: expect.any(Object), select: expect.any(Object)},
    })
    expect(other?.request).toEqual({method: 'DELETE', path: '/x/{{key}}', headers: {}, body: null})
    expect(other?.profiles).toEqual(['duplicate'])
    expect(other?.trials).toBe(5)
    expect([scenario.settle, scenario.concurrency, scenario.seed]).toEqual([1000, 2, 42])
  })

  it('accepts ready as tcp and defaults to tcp', async () => {
    const tcp = edit(EXAMPLE, ['{ http: /health }', '{ tcp: true }'])
    expect((await load(tcp)).scenario.target.server?.ready).toEqual({kind: 'tcp'})
    const none = edit(EXAMPLE, ['    ready: { http: /health }    # or { tcp: true }\n', ''])
    expect((await load(none)).scenario.target.server?.ready).toEqual({kind: 'tcp'})
  })
})

describe('loadScenario: errors point at the file position and say what is allowed', () => {
  it('a value outside an enum', async () => {
    expect(await failure(edit(EXAMPLE, ['expect: exactly-once ', 'expect: exactly_once ']))).toBe(
      'scenario.yaml:22:13: endpoints[0].expect: must be one of at-least-once, at-most-once, exactly-once, idempotent, reply-consistent, none (got "exactly_once")',
    )
  })

  it('a list of expectations, and none only on its own', async () => {
    const dir = writeFiles({'scenario.yaml': edit(EXAMPLE, ['expect: exactly-once ', 'expect: [exactly-once, reply-consistent] '])})
    const scenario = await loadScenario(path.join(dir, 'scenario.yaml'))
    expect(scenario.endpoints[0]?.expect).toEqual(['exactly-once', 'reply-consistent'])
    expect(await failure(edit(EXAMPLE, ['expect: exactly-once ', 'expect: [exactly-once, exactly_once] ']))).toMatch(
      /^scenario\.yaml:22:\d+: endpoints\[0\]\.expect\[1\]: must be one of .*reply-consistent, none \(got "exactly_once"\)$/,
    )
    expect(await failure(edit(EXAMPLE, ['expect: exactly-once ', 'expect: [exactly-once, none] ']))).toMatch(
      /^scenario\.yaml:22:\d+: endpoints\[0\]\.expect\[1\]: none cannot be combined with contracts/,
    )
  })

  it('an unknown field, at its key', async () => {
    expect(await failure(edit(EXAMPLE, ['  backoff: 20ms', '  retries: 3']))).toBe(
      'scenario.yaml:11:3: client.retries: unknown field; allowed here: timeout, attempts, backoff, backoffFactor, command, env, cwd, retryOn, failoverOn',
    )
  })

  it('an unknown field close to a known one suggests it', async () => {
    expect(await failure(edit(EXAMPLE, ['  attempts: 4', '  atempts: 4']))).toBe(
      'scenario.yaml:10:3: client.atempts: unknown field (did you mean attempts?); allowed here: timeout, attempts, backoff, backoffFactor, command, env, cwd, retryOn, failoverOn',
    )
  })

  it('a misspelt required field reports the typo, not the missing field', async () => {
    const message = await failure(
      edit(EXAMPLE, ['    request:\n      method: POST', '    reqest:\n      method: POST']),
    )
    expect(message).toBe(
      'scenario.yaml:14:5: endpoints[0].reqest: unknown field (did you mean request?); allowed here: name, request, match, effect, expect, volatile, recorded, profiles, idempotencyKey, trials',
    )
  })

  it('a missing required field, at its parent mapping', async () => {
    expect(await failure(edit(EXAMPLE, ['  url: http://127.0.0.1:4100\n', '']))).toBe(
      'scenario.yaml:3:3: target: missing required field "url" (Base URL of the server under test, e.g. http://127.0.0.1:4100; may hold {{port}})',
    )
    expect(await failure(edit(EXAMPLE, ['version: 1\n', '']))).toMatch(
      /^scenario\.yaml:1:1: top level: missing required field "version"/,
    )
    expect(await failure(edit(MINIMAL, ['      path: /things/{{key}}\n', '']))).toMatch(
      /^scenario\.yaml:8:7: endpoints\[0\]\.request: missing required field "path"/,
    )
  })

  it('a bad duration', async () => {
    expect(await failure(edit(EXAMPLE, ['timeout: 300ms', 'timeout: 3 secs']))).toBe(
      'scenario.yaml:9:12: client.timeout: must be a duration like 300ms, 1.5s or 2m (a bare number means milliseconds) (got "3 secs")',
    )
    expect(await failure(edit(EXAMPLE, ['timeout: 300ms', 'timeout: -5']))).toMatch(
      /^scenario\.yaml:9:12: client\.timeout: must be a duration .* \(got -5\)$/,
    )
    expect(await failure(MINIMAL + 'settle: [10ms, 20ms]\n')).toMatch(
      /^scenario\.yaml:10:9: settle: must be a duration .* \(got a list\)$/,
    )
  })

  it('a wrong type or version', async () => {
    expect(await failure(edit(EXAMPLE, ['trials: 10 ', 'trials: ten ']))).toBe(
      'scenario.yaml:24:9: trials: must be a whole number (got "ten")',
    )
    expect(await failure(edit(EXAMPLE, ['version: 1', 'version: 2']))).toBe(
      'scenario.yaml:1:10: version: must be 1 (got 2)',
    )
    expect(await failure('- a\n- b\n')).toBe('scenario.yaml:1:1: top level: must be a mapping (got a list)')
  })

  it('attempts, trials and concurrency below 1', async () => {
    expect(await failure(edit(EXAMPLE, ['attempts: 4', 'attempts: 0']))).toBe(
      'scenario.yaml:10:13: client.attempts: must be at least 1 (got 0)',
    )
    expect(await failure(edit(EXAMPLE, ['trials: 10 ', 'trials: 0 ']))).toBe(
      'scenario.yaml:24:9: trials: must be at least 1 (got 0)',
    )
    expect(await failure(MINIMAL + 'concurrency: 0\n')).toBe(
      'scenario.yaml:10:14: concurrency: must be at least 1 (got 0)',
    )
  })

  it('an unknown profile lists the known ones', async () => {
    const message = await failure(edit(EXAMPLE, ['drop-reply,', 'dropreply,']))
    expect(message).toBe(
      `scenario.yaml:23:26: profiles[1]: unknown profile "dropreply" (did you mean drop-reply?); known profiles: ${BUILTIN_PROFILES.map((p) => p.name).join(', ')}; profile sets: idempotency-key`,
    )
    expect(await failure(MINIMAL + '    profiles: [chaos-monkey]\n')).toMatch(
      /^scenario\.yaml:10:16: endpoints\[0\]\.profiles\[0\]: unknown profile "chaos-monkey"; known profiles: drop-request, /,
    )
  })

  it('an unknown template lists the allowed ones', async () => {
    expect(await failure(edit(EXAMPLE, ['{{key}}/increment', '{{keyy}}/increment']))).toBe(
      'scenario.yaml:16:13: endpoints[0].request.path: unknown template {{keyy}} (did you mean {{key}}?); allowed here: {{key}}, {{requestId}}, {{attempt}}, {{uuid}}, {{trial}}, {{env.NAME}}',
    )
  })

  it('a template in the wrong place', async () => {
    expect(await failure(edit(EXAMPLE, ['{{key}}/increment', '{{port}}/increment']))).toBe(
      'scenario.yaml:16:13: endpoints[0].request.path: {{port}} is not available in endpoint requests; allowed here: {{key}}, {{requestId}}, {{attempt}}, {{uuid}}, {{trial}}, {{env.NAME}}',
    )
    expect(await failure(edit(EXAMPLE, ['--port 4100', '--port {{key}}']))).toMatch(
      /^scenario\.yaml:6:14: target\.server\.command: \{\{key\}\} is not available in target\.server; allowed here: \{\{port\}\}, \{\{runDir\}\}, \{\{env\.NAME\}\}$/,
    )
    // {{runDir}} names where the server keeps its data: the command and env only, never the URL.
    const dir = writeFiles({'scenario.yaml': edit(EXAMPLE, ['--port 4100', '--port 4100 --data {{runDir}}/data'])})
    const withRunDir = await loadScenario(path.join(dir, 'scenario.yaml'))
    expect(withRunDir.target.server?.command).toBe('node fixtures/servers/counter.mjs --port 4100 --data {{runDir}}/data')
    expect(await failure(edit(EXAMPLE, ['http://127.0.0.1:4100', 'http://127.0.0.1:4100/{{runDir}}']))).toMatch(
      /target\.url: \{\{runDir\}\} is not available in target\.url; allowed here: \{\{port\}\}, \{\{env\.NAME\}\}$/,
    )
    expect(await failure(edit(EXAMPLE, ['path: /counters/{{key}} }', 'path: /c/{{attempt}} }']))).toMatch(
      /^scenario\.yaml:20:37: endpoints\[0\]\.effect\.request\.path: \{\{attempt\}\} is not available in effect probes/,
    )
  })

  it('an unset environment variable in a template', async () => {
    expect(await failure(edit(EXAMPLE, ['"{{requestId}}"', '"{{env.API_TOKEN}}"']))).toBe(
      'scenario.yaml:17:35: endpoints[0].request.headers["Idempotency-Key"]: environment variable API_TOKEN is not set (used by {{env.API_TOKEN}})',
    )
  })

  it('an unclosed template', async () => {
    expect(await failure(edit(EXAMPLE, ['{{key}}/increment', '{{key}/increment']))).toBe(
      'scenario.yaml:16:13: endpoints[0].request.path: unclosed "{{"; templates are written {{name}} (got "/counters/{{key}/increment")',
    )
  })

  it('a path that does not start with /', async () => {
    expect(
      await failure(edit(EXAMPLE, ['path: /counters/{{key}}/increment', 'path: counters/{{key}}/increment'])),
    ).toBe(
      'scenario.yaml:16:13: endpoints[0].request.path: must start with / (a path relative to target.url, e.g. /orders/{{key}}) (got "counters/{{key}}/increment")',
    )
  })

  it('a target URL that is not http', async () => {
    expect(await failure(edit(EXAMPLE, ['url: http://127.0.0.1:4100', 'url: ftp://host']))).toBe(
      'scenario.yaml:4:8: target.url: must be an http:// URL such as http://127.0.0.1:4100 (got "ftp://host")',
    )
    expect(await failure(edit(EXAMPLE, ['url: http://127.0.0.1:4100', 'url: 127.0.0.1:4100']))).toMatch(
      /^scenario\.yaml:4:8: target\.url: must be an http:\/\/ URL/,
    )
  })

  it('{{port}} in the URL needs a server block', async () => {
    expect(await failure(edit(MINIMAL, ['127.0.0.1:4100', '127.0.0.1:{{port}}']))).toBe(
      'scenario.yaml:4:8: target.url: {{port}} needs target.server: faultline picks the port and starts the server on it',
    )
  })

  it('an unknown field in the protocol-specific part of target', async () => {
    expect(
      await failure(
        edit(EXAMPLE, ['  url: http://127.0.0.1:4100', '  url: http://127.0.0.1:4100\n  host: x']),
      ),
    ).toBe('scenario.yaml:5:3: target.host: unknown field; allowed here: protocol, url, server, replicas')
  })

  it('{{port}} with a server block is fine', async () => {
    const text = edit(
      EXAMPLE,
      ['url: http://127.0.0.1:4100', 'url: http://127.0.0.1:{{port}}'],
      ['--port 4100', '--port {{port}}'],
    )
    const {scenario} = await load(text)
    expect(scenario.target.url).toBe('http://127.0.0.1:{{port}}')
    expect(scenario.target.server?.command).toBe('node fixtures/servers/counter.mjs --port {{port}}')
  })

  it('a protocol faultline does not speak', async () => {
    expect(await failure(edit(EXAMPLE, ['protocol: http', 'protocol: smtp']))).toBe(
      'scenario.yaml:3:13: target.protocol: must be one of http, jsonrpc, tcp, grpc (got "smtp")',
    )
  })

  it('a bad JSONPath', async () => {
    expect(await failure(edit(EXAMPLE, ['select: $.value ', 'select: $.value[ ']))).toBe(
      'scenario.yaml:21:15: endpoints[0].effect.select: not a valid JSONPath: "[" at character 8 is not closed (got "$.value[")',
    )
    expect(await failure(edit(EXAMPLE, ['select: $.value ', 'select: value ']))).toBe(
      'scenario.yaml:21:15: endpoints[0].effect.select: must be a JSONPath starting with $ (the root), e.g. $.value (got "value")',
    )
    expect(await failure(MINIMAL + '    volatile: [$.id, "$.a[?(@.x ==)]"]\n')).toMatch(
      /^scenario\.yaml:10:22: endpoints\[0\]\.volatile\[1\]: not a valid JSONPath: bad expression/,
    )
  })

  it('a duplicate endpoint name', async () => {
    const text = MINIMAL + '  - name: put\n    request: { method: GET, path: /x }\n'
    expect(await failure(text)).toBe(
      'scenario.yaml:10:11: endpoints[1].name: duplicate endpoint name "put" (first used at line 6)',
    )
  })

  it('a readiness check with none or two forms', async () => {
    expect(await failure(edit(EXAMPLE, ['{ http: /health }', '{ }']))).toBe(
      'scenario.yaml:7:12: target.server.ready: must set exactly one of http, tcp, log',
    )
    expect(await failure(edit(EXAMPLE, ['{ http: /health }', '{ http: /health, tcp: true }']))).toBe(
      'scenario.yaml:7:12: target.server.ready: must set exactly one of http, tcp, log',
    )
    expect(await failure(edit(EXAMPLE, ['{ http: /health }', '{ log: "(" }']))).toMatch(
      /^scenario\.yaml:7:19: target\.server\.ready\.log: not a valid regular expression: /,
    )
  })

  it('an empty value points at its key', async () => {
    expect(await failure(edit(EXAMPLE, ['expect: exactly-once ', 'expect: ']))).toMatch(
      /^scenario\.yaml:22:5: endpoints\[0\]\.expect: must be one of .* \(got null\)$/,
    )
  })

  it('YAML syntax errors with their position', async () => {
    expect(await failure(edit(EXAMPLE, ['  attempts: 4', ' attempts: 4']))).toBe(
      'scenario.yaml:10:1: YAML syntax error: All mapping items must start at the same column',
    )
    expect(await failure(edit(EXAMPLE, ['  attempts: 4', '  attempts: 4\n  attempts: 5']))).toBe(
      'scenario.yaml:11:3: YAML syntax error: Map keys must be unique',
    )
  })

  it('an empty file', async () => {
    expect(await failure('# nothing yet\n')).toBe(
      'scenario.yaml:1:1: the scenario file is empty; it starts with version: 1',
    )
  })

  it('a missing file is bad usage naming the file', async () => {
    const dir = writeFiles({})
    const file = path.join(dir, 'nope.yaml')
    const error = (await loadScenario(file).catch((e: unknown) => e)) as ScenarioError
    expect(error).toBeInstanceOf(ScenarioError)
    expect(error.message).toBe(`${file}: cannot read the scenario file: no such file`)
    expect([error.code, error.exitCode]).toEqual(['FL_SCENARIO', 2])
    const isDir = (await loadScenario(dir).catch((e: unknown) => e)) as ScenarioError
    expect(isDir.message).toBe(`${dir}: cannot read the scenario file: it is a directory, not a file`)
  })
})

describe('loadScenario: templates need no quotes', () => {
  it('inside flow mappings and as a whole plain value', async () => {
    const text = edit(MINIMAL, [
      '      path: /things/{{key}}\n',
      '      path: /t/{{key}}\n      headers: { A: {{requestId}}, B: x{{trial}} }\n',
    ])
    const {scenario} = await load(text)
    expect((scenario.endpoints[0]?.request as RequestTemplate).headers).toEqual({A: '{{requestId}}', B: 'x{{trial}}'})
  })

  it('keeps nested flow mappings intact', async () => {
    const {scenario} = await load(MINIMAL + '      body: {a: {b: 1}, c: [{d: "{{uuid}}"}]}\n')
    expect((scenario.endpoints[0]?.request as RequestTemplate).body).toEqual({a: {b: 1}, c: [{d: '{{uuid}}'}]})
  })
})

describe('loadScenario: profile files', () => {
  const slow = `profiles:
  - name: slow-reply
    description: Every reply is held 200ms.
    faults:
      - { type: delay, phase: reply, delay: 200ms }
`
  it('loads them into the catalog after the built-ins', async () => {
    const {scenario, dir} = await load(
      MINIMAL + 'profileFiles: [profiles/slow.yaml]\nprofiles: [slow-reply, duplicate]\n',
      {
        'profiles/slow.yaml': slow,
      },
    )
    const names = [...scenario.profileCatalog.keys()]
    expect(names.slice(0, BUILTIN_PROFILES.length)).toEqual(BUILTIN_PROFILES.map((p) => p.name))
    expect(names.at(-1)).toBe('slow-reply')
    expect(scenario.profileFiles).toEqual([path.join(dir, 'profiles/slow.yaml')])
    expect(scenario.profileCatalog.get('slow-reply')).toEqual({
      name: 'slow-reply',
      description: 'Every reply is held 200ms.',
      faults: [{type: 'delay', phase: 'reply', delay: 200, attempt: 1, probability: 1}],
      source: `${path.join(dir, 'profiles/slow.yaml')}:2`,
    })
    expect(scenario.endpoints[0]?.profiles).toEqual(['slow-reply', 'duplicate'])
  })

  it('a profile file that cannot be read is reported at the scenario line naming it', async () => {
    const message = await failure(MINIMAL + 'profileFiles: [profiles/missing.yaml]\n')
    expect(message).toBe(
      'scenario.yaml:10:16: profileFiles[0]: cannot read profile file profiles/missing.yaml: no such file',
    )
  })

  it('errors inside a profile file point into that file', async () => {
    const bad = edit(slow, ['phase: reply', 'phase: respond'])
    expect(await failure(MINIMAL + 'profileFiles: [p.yaml]\n', {'p.yaml': bad})).toBe(
      'p.yaml:5:31: profiles[0].faults[0].phase: must be one of request, reply, mid-reply (got "respond")',
    )
  })

  it('a file profile may not take a built-in name', async () => {
    const clash = edit(slow, ['name: slow-reply', 'name: drop-reply'])
    expect(await failure(MINIMAL + 'profileFiles: [p.yaml]\n', {'p.yaml': clash})).toBe(
      'p.yaml:2:11: profiles[0].name: profile "drop-reply" has the same name as the built-in profile drop-reply; choose another name',
    )
  })

  it('two files may not define the same name', async () => {
    const message = await failure(MINIMAL + 'profileFiles: [a.yaml, b.yaml]\n', {
      'a.yaml': slow,
      'b.yaml': slow,
    })
    expect(message).toMatch(
      /^b\.yaml:2:11: profiles\[0\]\.name: profile "slow-reply" has the same name as the profile slow-reply from .*a\.yaml:2; choose another name$/,
    )
  })
})
