import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ScenarioError} from '../../src/errors.js'
import {
  BUILTIN_PROFILES,
  builtinProfileCatalog,
  DEFAULT_PROFILES,
  FAULT_KINDS,
  listProfiles,
  loadProfileFile,
} from '../../src/scenario/profiles.js'
import {edit, writeFiles} from './helpers.js'

async function loadText(text: string) {
  const dir = writeFiles({'p.yaml': text})
  return loadProfileFile(path.join(dir, 'p.yaml'), {displayName: 'p.yaml'})
}

async function failure(text: string): Promise<string> {
  const error = await loadText(text).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ScenarioError)
  expect((error as ScenarioError).message).not.toContain('\n')
  return (error as ScenarioError).message
}

const FILE = `profiles:
  - name: flaky-network
    description: Drops a third of first attempts and duplicates retries.
    faults:
      - type: drop-request
        mode: [timeout, reset]
        probability: 0.33
      - type: duplicate
        mode: delayed
        delay: [10ms, 1s]
        attempt: 2
        match: { method: POST, path: /orders/**, headers: { x-tenant: "a*" } }
        nth: 3
  - name: slow
    description: Slows the first attempt past the timeout.
    faults:
      - { type: delay, delayFactor: [1.5, 3] }
`

describe('built-in profiles', () => {
  it('are the documented set, in registry order', () => {
    expect(BUILTIN_PROFILES.map((p) => p.name)).toEqual([
      'drop-request',
      'drop-request-reset',
      'drop-reply',
      'drop-reply-reset',
      'duplicate',
      'duplicate-sequential',
      'duplicate-concurrent',
      'duplicate-delayed',
      'delay-past-timeout',
      'delay-reply-past-timeout',
      'delay',
      'reset-mid-reply',
      'crash-before-reply',
      'crash-after-reply',
      'client-abort',
      'status-unavailable',
      'status-unavailable-after-reply',
      'status-503',
      'status-429-retry-after',
      'status-503-after-reply',
      'crash-primary-before-reply',
      'crash-primary-after-reply',
      'crash-primary-before-reply-left-down',
      'crash-primary-after-reply-left-down',
      'partition-primary',
      'partition-primary-before-delivery',
      'partition-primary-after-delivery',
      'replication-delay',
      'replication-drop',
      'replication-drop-reset',
    ])
  })

  it('each hit the first attempt always, with a one-sentence description', () => {
    for (const profile of BUILTIN_PROFILES) {
      expect(profile.source).toBe('built-in')
      expect(profile.description).toMatch(/^[A-Z].*\.$/)
      expect(profile.faults.length).toBeGreaterThan(0)
      for (const fault of profile.faults) {
        expect(fault.attempt).toBe(1)
        expect(fault.probability).toBe(1)
        const kind = FAULT_KINDS[fault.type]
        const modes = fault.mode === undefined ? [] : Array.isArray(fault.mode) ? fault.mode : [fault.mode]
        for (const mode of modes) expect(kind.modes?.includes(mode) || (kind.httpStatusModes && /^[45]\d\d$/.test(mode))).toBe(true)
        if (fault.phase !== undefined) expect(kind.phases).toContain(fault.phase)
      }
    }
  })

  it('carry the specified faults', () => {
    const catalog = builtinProfileCatalog()
    const fault = (name: string) => catalog.get(name)?.faults[0]
    expect(fault('drop-request')).toEqual({type: 'drop-request', mode: 'timeout', attempt: 1, probability: 1})
    expect(fault('drop-reply-reset')).toEqual({type: 'drop-reply', mode: 'reset', attempt: 1, probability: 1})
    expect(fault('duplicate')).toEqual({
      type: 'duplicate',
      mode: ['sequential', 'concurrent', 'delayed'],
      delay: [10, 100],
      attempt: 1,
      probability: 1,
    })
    expect(fault('delay-past-timeout')).toEqual({
      type: 'delay',
      phase: 'request',
      delayTimeoutFactor: [1.2, 2],
      attempt: 1,
      probability: 1,
    })
    expect(fault('delay-reply-past-timeout')?.phase).toBe('reply')
    expect(fault('delay')).toMatchObject({type: 'delay', phase: 'request', delay: [5, 50]})
    expect(fault('reset-mid-reply')).toMatchObject({type: 'reset', phase: 'mid-reply'})
    expect(fault('crash-after-reply')?.type).toBe('crash-after-reply')
    expect(fault('client-abort')?.type).toBe('client-abort')
    // Replicated targets: a crash says when the primary comes back; a partition and link faults.
    expect(fault('crash-primary-before-reply')).toEqual({type: 'crash-before-reply', restart: 'after-probe', attempt: 1, probability: 1})
    expect(fault('crash-primary-after-reply-left-down')).toEqual({type: 'crash-after-reply', restart: 'never', attempt: 1, probability: 1})
    expect(fault('partition-primary')).toEqual({type: 'partition-primary', mode: ['before-delivery', 'after-delivery'], attempt: 1, probability: 1})
    expect(fault('partition-primary-after-delivery')?.mode).toBe('after-delivery')
    expect(fault('replication-delay')).toEqual({type: 'replication-delay', delay: [100, 500], attempt: 1, probability: 1})
    expect(fault('replication-drop-reset')).toEqual({type: 'replication-drop', mode: 'reset', attempt: 1, probability: 1})
  })

  it('include the default profiles', () => {
    const catalog = builtinProfileCatalog()
    for (const name of DEFAULT_PROFILES) expect(catalog.has(name)).toBe(true)
  })

  it('listProfiles keeps catalog order, and catalogs are independent', () => {
    const catalog = builtinProfileCatalog()
    catalog.delete('delay')
    expect(listProfiles(catalog).map((p) => p.name)).not.toContain('delay')
    expect(builtinProfileCatalog().has('delay')).toBe(true)
    expect(listProfiles(builtinProfileCatalog())).toEqual([...BUILTIN_PROFILES])
  })
})

describe('loadProfileFile', () => {
  it('loads profiles with durations, ranges and defaults', async () => {
    expect(await loadText(FILE)).toEqual([
      {
        name: 'flaky-network',
        description: 'Drops a third of first attempts and duplicates retries.',
        faults: [
          {type: 'drop-request', mode: ['timeout', 'reset'], attempt: 1, probability: 0.33},
          {
            type: 'duplicate',
            mode: 'delayed',
            delay: [10, 1000],
            attempt: 2,
            probability: 1,
            match: {method: 'POST', path: '/orders/**', headers: {'x-tenant': 'a*'}},
            nth: 3,
          },
        ],
        source: 'p.yaml:2',
      },
      {
        name: 'slow',
        description: 'Slows the first attempt past the timeout.',
        faults: [{type: 'delay', delayTimeoutFactor: [1.5, 3], attempt: 1, probability: 1}],
        source: 'p.yaml:14',
      },
    ])
  })

  it('an unknown fault type', async () => {
    expect(await failure(edit(FILE, ['type: drop-request', 'type: drop-requests']))).toBe(
      'p.yaml:5:15: profiles[0].faults[0].type: must be one of drop-request, drop-reply, duplicate, delay, reset, crash-before-reply, crash-after-reply, client-abort, toxic, status, partition-primary, replication-delay, replication-drop (got "drop-requests")',
    )
  })

  it('an unknown field with a suggestion', async () => {
    expect(await failure(edit(FILE, ['probability: 0.33', 'probabilty: 0.33']))).toBe(
      'p.yaml:7:9: profiles[0].faults[0].probabilty: unknown field (did you mean probability?); allowed here: type, mode, phase, delay, delayFactor, retryAfter, code, frame, restart, duration, attempt, probability, match, nth, proxy, toxic',
    )
  })

  it('a mode the fault type does not have', async () => {
    expect(await failure(edit(FILE, ['mode: [timeout, reset]', 'mode: [timeout, delayed]']))).toBe(
      'p.yaml:6:25: profiles[0].faults[0].mode[1]: must be one of timeout, reset for fault type drop-request (got "delayed")',
    )
    expect(await failure(edit(FILE, ['mode: [timeout, reset]', 'mode: sideways']))).toBe(
      'p.yaml:6:15: profiles[0].faults[0].mode: must be one of timeout, reset, sequential, concurrent, delayed, before-delivery, after-delivery, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED (got "sideways")',
    )
  })

  it('fields a fault type does not take', async () => {
    expect(
      await failure(
        edit(FILE, ['      - type: drop-request\n', '      - type: drop-request\n        phase: reply\n']),
      ),
    ).toBe('p.yaml:6:9: profiles[0].faults[0].phase: fault type drop-request takes no phase')
    expect(await failure(edit(FILE, ['mode: delayed', 'mode: concurrent']))).toBe(
      'p.yaml:10:9: profiles[0].faults[1].delay: only applies to duplicate faults with mode delayed',
    )
    expect(await failure(edit(FILE, ['      - type: drop-request\n', '      - type: drop-request\n        restart: never\n']))).toBe(
      'p.yaml:6:9: profiles[0].faults[0].restart: fault type drop-request takes no restart',
    )
    expect(await failure(edit(FILE, ['{ type: delay, delayFactor: [1.5, 3] }', '{ type: crash-after-reply, duration: 2s }']))).toBe(
      'p.yaml:17:36: profiles[1].faults[0].duration: fault type crash-after-reply takes no duration',
    )
  })

  it('a partition with a duration range, a crash that leaves the primary down', async () => {
    const text = `profiles:
  - name: split
    description: A long partition.
    faults:
      - { type: partition-primary, mode: after-delivery, duration: [2s, 3s] }
      - { type: crash-before-reply, restart: never }
`
    const [profile] = await loadText(text)
    expect(profile?.faults).toEqual([
      {type: 'partition-primary', mode: 'after-delivery', duration: [2000, 3000], attempt: 1, probability: 1},
      {type: 'crash-before-reply', restart: 'never', attempt: 1, probability: 1},
    ])
    expect(await failure(edit(text, ['restart: never', 'restart: later']))).toBe('p.yaml:6:46: profiles[0].faults[1].restart: must be one of after-probe, never (got "later")')
    expect(await failure(edit(text, ['duration: [2s, 3s]', 'duration: [3s, 2s]']))).toBe('p.yaml:5:68: profiles[0].faults[0].duration: range [3s, 2s]: min must not be greater than max')
  })

  it('a delay fault needs exactly one of delay and delayFactor', async () => {
    expect(await failure(edit(FILE, ['{ type: delay, delayFactor: [1.5, 3] }', '{ type: delay }']))).toBe(
      'p.yaml:17:9: profiles[1].faults[0]: a delay fault needs delay (e.g. 50ms or [10ms, 200ms]) or delayFactor (e.g. 1.5)',
    )
    expect(
      await failure(
        edit(FILE, ['{ type: delay, delayFactor: [1.5, 3] }', '{ type: delay, delay: 5ms, delayFactor: 2 }']),
      ),
    ).toBe('p.yaml:17:36: profiles[1].faults[0].delayFactor: give either delay or delayFactor, not both')
  })

  it('bad durations and ranges', async () => {
    expect(await failure(edit(FILE, ['delay: [10ms, 1s]', 'delay: [10ms, soon]']))).toBe(
      'p.yaml:10:23: profiles[0].faults[1].delay[1]: must be a duration like 300ms, 1.5s or 2m (a bare number means milliseconds) (got "soon")',
    )
    expect(await failure(edit(FILE, ['delay: [10ms, 1s]', 'delay: [1s, 10ms]']))).toBe(
      'p.yaml:10:16: profiles[0].faults[1].delay: range [1s, 10ms]: min must not be greater than max',
    )
    expect(await failure(edit(FILE, ['delay: [10ms, 1s]', 'delay: [1ms, 2ms, 3ms]']))).toBe(
      'p.yaml:10:16: profiles[0].faults[1].delay: must be a duration like 300ms, 1.5s or 2m (a bare number means milliseconds) or a [min, max] range like [10ms, 200ms] (got a list)',
    )
    expect(await failure(edit(FILE, ['delayFactor: [1.5, 3]', 'delayFactor: [3, 1.5]']))).toBe(
      'p.yaml:17:37: profiles[1].faults[0].delayFactor: range [3, 1.5]: min must not be greater than max',
    )
  })

  it('probability must be in (0, 1]', async () => {
    expect(await failure(edit(FILE, ['probability: 0.33', 'probability: 1.5']))).toBe(
      'p.yaml:7:22: profiles[0].faults[0].probability: must be at most 1 (got 1.5)',
    )
    expect(await failure(edit(FILE, ['probability: 0.33', 'probability: 0']))).toBe(
      'p.yaml:7:22: profiles[0].faults[0].probability: must be greater than 0 (got 0)',
    )
  })

  it('missing fields and duplicate names', async () => {
    expect(
      await failure(edit(FILE, ['    description: Slows the first attempt past the timeout.\n', ''])),
    ).toBe(
      'p.yaml:14:5: profiles[1]: missing required field "description" (One sentence saying what the profile does)',
    )
    expect(await failure(edit(FILE, ['name: slow', 'name: flaky-network']))).toBe(
      'p.yaml:14:11: profiles[1].name: duplicate profile name "flaky-network" (first defined at line 2)',
    )
    expect(await failure('profiles: []\n')).toBe('p.yaml:1:11: profiles: must list at least 1 item (got 0)')
    expect(await failure('')).toBe('p.yaml:1:1: the profile file is empty; it needs profiles: [...]')
  })

  it('YAML syntax errors and unreadable files', async () => {
    expect(await failure('profiles: [\n')).toMatch(/^p\.yaml:\d+:\d+: YAML syntax error: /)
    const error = (await loadProfileFile('/nonexistent/p.yaml').catch((e: unknown) => e)) as ScenarioError
    expect(error.message).toBe('/nonexistent/p.yaml: cannot read the profile file: no such file')
    expect(error.exitCode).toBe(2)
  })

  it('rejects names clashing with known profiles', async () => {
    const dir = writeFiles({'p.yaml': edit(FILE, ['name: slow', 'name: delay'])})
    const error = (await loadProfileFile(path.join(dir, 'p.yaml'), {
      displayName: 'p.yaml',
      known: builtinProfileCatalog(),
    }).catch((e: unknown) => e)) as ScenarioError
    expect(error.message).toBe(
      'p.yaml:14:11: profiles[1].name: profile "delay" has the same name as the built-in profile delay; choose another name',
    )
  })
})

describe('status faults in profile files', () => {
  const STATUS = `profiles:
  - name: busy
    description: Answers 503 or 429.
    faults:
      - type: status
        mode: [503, 429, UNAVAILABLE]
        retryAfter: 2
        code: -32001
        frame: { error: busy }
`

  it('take HTTP statuses as modes, retryAfter, code and frame', async () => {
    const [profile] = await loadText(STATUS)
    expect(profile?.faults[0]).toEqual({type: 'status', mode: ['503', '429', 'UNAVAILABLE'], retryAfter: 2, code: -32001, frame: {error: 'busy'}, attempt: 1, probability: 1})
  })

  it('an HTTP status on another fault type, or a status field it does not take', async () => {
    expect(await failure(edit(STATUS, ['type: status', 'type: drop-request'], ['        retryAfter: 2\n        code: -32001\n        frame: { error: busy }\n', '']))).toBe(
      'p.yaml:6:16: profiles[0].faults[0].mode[0]: must be one of timeout, reset for fault type drop-request (got "503")',
    )
    expect(await failure(edit(STATUS, ['type: status', 'type: delay\n        delay: 5ms'], ['        mode: [503, 429, UNAVAILABLE]\n', '']))).toBe(
      'p.yaml:7:9: profiles[0].faults[0].retryAfter: fault type delay takes no retryAfter',
    )
  })

  it('an HTTP status out of range', async () => {
    expect(await failure(edit(STATUS, ['[503, 429, UNAVAILABLE]', '200']))).toMatch(/^p\.yaml:6:15: profiles\[0\]\.faults\[0\]\.mode: /)
  })
})
