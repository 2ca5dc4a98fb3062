import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/errors.js'
import {faultsFromFlags, type FaultFlags} from '../../src/scenario/profile-flags.js'

const refusal = async (flags: FaultFlags): Promise<string> => {
  const error = await faultsFromFlags(flags).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(UsageError)
  return (error as Error).message
}

/** `faultline proxy`'s fault flags are checked by the same rules as a profile file's fault (FAULT_KINDS). */
describe('faultline proxy fault flags', () => {
  it('builds one rule from --fault and its selector flags', async () => {
    const rules = await faultsFromFlags({fault: 'delay', phase: 'reply', delay: '10ms..200ms', nth: 2, probability: '0.5', method: 'post', path: '/api/**', header: ['X-Key: a*']})
    expect(rules).toEqual([
      {
        fault: {type: 'delay', phase: 'reply', delay: [10, 200], attempt: 1, probability: 1},
        match: {method: 'POST', path: '/api/**', headers: {'x-key': 'a*'}},
        nth: 2,
        probability: 0.5,
      },
    ])
  })

  it('refuses a mode, phase or field the fault type does not take, naming the flag', async () => {
    expect(await refusal({fault: 'drop-reply', mode: 'sideways'})).toBe('--mode sideways: must be one of timeout, reset for fault type drop-reply (got "sideways")')
    expect(await refusal({fault: 'delay', phase: 'later', delay: '5ms'})).toBe('--phase later: must be one of request, reply for fault type delay (got "later")')
    expect(await refusal({fault: 'reset', mode: 'timeout'})).toBe('--mode timeout: fault type reset takes no mode')
    expect(await refusal({fault: 'drop-request', delay: '5ms'})).toBe('--delay 5ms: fault type drop-request takes no delay')
    expect(await refusal({fault: 'duplicate', mode: 'sequential', delay: '5ms'})).toBe('--delay 5ms: only applies to duplicate faults with mode delayed')
  })

  it('keeps the words of the flag checks it replaced', async () => {
    expect(await refusal({fault: 'delay'})).toBe('--fault delay needs --delay, e.g. --delay 500ms')
    expect(await refusal({fault: 'delay', delay: '5parsecs'})).toMatch(/^--delay 5parsecs: must be a duration like 300ms/)
    expect(await refusal({fault: 'drop-reply', probability: '2'})).toBe('--probability 2: must be a number from 0 to 1, e.g. 0.25')
    expect(await refusal({fault: 'drop-reply', header: ['nocolon']})).toBe('--header nocolon: write it as "Name: value-glob", e.g. --header "content-type: application/json*"')
    expect(await refusal({nth: 1})).toBe('--nth, --probability, --method, --path and --header select requests for --fault; add --fault TYPE')
    expect(await refusal({profile: ['no-such']})).toMatch(/^--profile no-such: no such profile; known: /)
    expect(await refusal({profile: ['crash-before-reply']})).toBe('--profile crash-before-reply: crash faults need a server faultline runs; use them with faultline check')
    expect(await refusal({fault: 'crash-after-reply'})).toMatch(/^--fault crash-after-reply: must be one of drop-request, /)
    expect(await refusal({profile: ['partition-primary']})).toBe('--profile partition-primary: partition-primary faults act across replicated servers faultline runs; use them with faultline check and target.replicas')
    expect(await refusal({fault: 'replication-drop'})).toMatch(/^--fault replication-drop: must be one of drop-request, /)
  })
})
