import {describe, expect, it} from 'vitest'
import {EXAMPLE, MINIMAL, edit, loadFailure, loadText} from './helpers.js'

const TRIALS = 'trials: 10                      # per endpoint and profile'
describe('every count in a scenario has an upper bound, said with its position', () => {
  it.each([
    ['trials', [TRIALS, 'trials: 1e9'], 'scenario.yaml:24:9: trials: must be at most 10000 (got 1000000000)'],
    [
      'client.attempts',
      ['attempts: 4 ', 'attempts: 101 '],
      'scenario.yaml:10:13: client.attempts: must be at most 100 (got 101)',
    ],
    [
      'client.backoffFactor',
      ['backoff: 20ms', 'backoff: 20ms\n  backoffFactor: 1e300'],
      'scenario.yaml:12:18: client.backoffFactor: must be at most 100 (got 1e+300)',
    ],
    [
      'concurrency',
      [TRIALS, 'concurrency: 100000'],
      'scenario.yaml:24:14: concurrency: must be at most 256 (got 100000)',
    ],
    [
      'endpoint trials',
      ['    expect: exactly-once', '    trials: 10001\n    expect: exactly-once'],
      'scenario.yaml:22:13: endpoints[0].trials: must be at most 10000 (got 10001)',
    ],
    [
      'seed',
      [TRIALS, 'seed: 1e300'],
      'scenario.yaml:24:7: seed: must be at most 9007199254740991 (got 1e+300)',
    ],
  ])('%s', async (_field, pair, message) => {
    expect(await loadFailure(edit(EXAMPLE, pair as [string, string]))).toBe(message)
  })

  it('the bounds themselves are accepted', async () => {
    const scenario = await loadText(
      edit(
        EXAMPLE,
        [TRIALS, 'trials: 10000\nconcurrency: 256\nseed: 9007199254740991'],
        ['attempts: 4 ', 'attempts: 100 '],
        ['backoff: 20ms', 'backoff: 0ms\n  backoffFactor: 100'],
      ),
    )
    expect(scenario.trials).toBe(10000)
    expect(scenario.client.attempts).toBe(100)
    expect(scenario.seed).toBe(Number.MAX_SAFE_INTEGER)
  })

  it('a list that multiplies work: profiles', async () => {
    const many = `profiles: [${Array.from({length: 101}, () => 'drop-reply').join(', ')}]`
    expect(
      await loadFailure(
        edit(EXAMPLE, ['profiles: [drop-request, drop-reply, duplicate, delay-past-timeout]', many]),
      ),
    ).toBe('scenario.yaml:23:11: profiles: must list at most 100 items (got 101)')
  })

  it('a run plans at most 100000 trials in all', async () => {
    const endpoints = Array.from(
      {length: 3},
      (_, i) => `  - name: e${i}\n    request: { method: PUT, path: /x/{{key}} }\n`,
    ).join('')
    const text = `version: 1\ntarget: { protocol: http, url: http://127.0.0.1:4100 }\nendpoints:\n${endpoints}profiles: [drop-request, drop-reply, duplicate, delay-past-timeout]\ntrials: 10000\n`
    expect(await loadFailure(text)).toBe(
      "scenario.yaml:11:9: trials: the scenario plans 120000 trials (each endpoint's profiles × trials, summed); a run plans at most 100000: lower trials or split the endpoints over several scenarios",
    )
    expect((await loadText(text.replace('trials: 10000', 'trials: 8000'))).trials).toBe(8000)
  })

  it('a retry policy whose last backoff is past the longest timer', async () => {
    expect(
      await loadFailure(
        edit(
          EXAMPLE,
          ['attempts: 4 ', 'attempts: 100 '],
          ['backoff: 20ms', 'backoff: 20ms\n  backoffFactor: 2'],
        ),
      ),
    ).toBe(
      'scenario.yaml:12:18: client.backoffFactor: the last retry would wait 6.3e+30ms (backoff × backoffFactor^(attempts − 2)), past the longest timer (2147483647ms, about 24.8 days): lower backoff, backoffFactor or attempts',
    )
  })

  it('a delay relative to client.timeout past the longest timer', async () => {
    expect(
      await loadFailure(edit(EXAMPLE, ['timeout: 300ms', 'timeout: 20d'.replace('20d', '1200000000')])),
    ).toBe(
      'scenario.yaml:9:12: client.timeout: profile "delay-past-timeout" delays up to 2 × client.timeout = 2400000000ms, past the longest timer (2147483647ms, about 24.8 days): lower client.timeout',
    )
  })

  it('profile files: faults per profile, attempt, nth and delayFactor', async () => {
    const profile = (fault: string) =>
      `profiles:\n  - name: p\n    description: d\n    faults:\n      - ${fault}\n`
    const withFile = (fault: string) =>
      loadFailure(`${MINIMAL}profileFiles: [p.yaml]\n`, {'p.yaml': profile(fault)})
    expect(await withFile('{type: drop-reply, attempt: 101}')).toBe(
      'p.yaml:5:37: profiles[0].faults[0].attempt: must be at most 100 (got 101)',
    )
    expect(await withFile('{type: drop-reply, nth: 1e9}')).toBe(
      'p.yaml:5:33: profiles[0].faults[0].nth: must be at most 1000000 (got 1000000000)',
    )
    expect(await withFile('{type: delay, delayFactor: 1e300}')).toBe(
      'p.yaml:5:36: profiles[0].faults[0].delayFactor: must be at most 1000 (got 1e+300)',
    )
  })
})

describe('durations past the longest timer (2^31−1 ms) are refused', () => {
  const MAX = 'must be at most 2147483647ms (about 24.8 days, the longest a timer can wait)'
  it.each([
    [
      'client.timeout as text',
      ['timeout: 300ms', 'timeout: 72000m'],
      `scenario.yaml:9:12: client.timeout: ${MAX} (got "72000m")`,
    ],
    [
      'client.backoff as a number',
      ['backoff: 20ms', 'backoff: 1e300'],
      `scenario.yaml:11:12: client.backoff: ${MAX} (got 1e+300)`,
    ],
    ['settle', [TRIALS, 'settle: 1e300'], `scenario.yaml:24:9: settle: ${MAX} (got 1e+300)`],
    [
      'startupTimeout',
      ['ready: { http: /health }', 'ready: { http: /health }\n    startupTimeout: 1e300'],
      `scenario.yaml:8:21: target.server.startupTimeout: ${MAX} (got 1e+300)`,
    ],
    [
      'settle as .inf',
      [TRIALS, 'settle: .inf'],
      'scenario.yaml:24:9: settle: Infinity is not a number faultline can use; write a finite number',
    ],
  ])('%s', async (_field, pair, message) => {
    expect(await loadFailure(edit(EXAMPLE, pair as [string, string]))).toBe(message)
  })

  it('2147483647ms itself is accepted', async () => {
    const scenario = await loadText(
      edit(
        EXAMPLE,
        [TRIALS, 'settle: 2147483647'],
        ['backoff: 20ms', 'backoff: 2147483647ms\n  attempts: 2'],
        ['  attempts: 4                   # including the first\n', ''],
      ),
    )
    expect(scenario.settle).toBe(2147483647)
    expect(scenario.client.backoff).toBe(2147483647)
  })

  it('a fault delay in a profile file, as a value and as a range end', async () => {
    const profile = (fault: string) =>
      `profiles:\n  - name: p\n    description: d\n    faults:\n      - ${fault}\n`
    const withFile = (fault: string) =>
      loadFailure(`${MINIMAL}profileFiles: [p.yaml]\n`, {'p.yaml': profile(fault)})
    expect(await withFile('{type: delay, delay: 72000m}')).toBe(
      `p.yaml:5:30: profiles[0].faults[0].delay: ${MAX} (got "72000m")`,
    )
    expect(await withFile('{type: delay, delay: [1ms, 1e300]}')).toBe(
      `p.yaml:5:36: profiles[0].faults[0].delay[1]: ${MAX} (got 1e+300)`,
    )
  })
})

describe('YAML that would exhaust memory or cannot be plain data', () => {
  it('an alias bomb ("billion laughs") is a bad file at the alias', async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for (const [prev, name] of [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
      ['d', 'e'],
      ['e', 'f'],
      ['f', 'g'],
    ])
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(',')}]`)
    expect(await loadFailure(`${levels.join('\n')}\n`)).toBe(
      'scenario.yaml:3:8: YAML aliases expand too far (an anchor may be used at most 100 times, uses inside aliased values multiplied); write the values out instead of nesting aliases',
    )
  })

  it('an alias without its anchor, and one inside its own anchor', async () => {
    expect(await loadFailure('version: 1\nx: *nope\n')).toBe(
      'scenario.yaml:2:4: YAML alias *nope has no anchor &nope before it',
    )
    expect(await loadFailure('version: 1\nx: &a [*a]\n')).toBe(
      'scenario.yaml:2:8: x[0]: a YAML alias inside its own anchor makes an endless value; write the value out',
    )
  })

  it('a few plain aliases still work', async () => {
    const scenario = await loadText(
      edit(EXAMPLE, ['timeout: 300ms', 'timeout: &t 300ms'], ['backoff: 20ms', 'backoff: *t']),
    )
    expect(scenario.client.backoff).toBe(300)
  })
})
