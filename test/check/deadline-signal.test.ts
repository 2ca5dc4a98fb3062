import {getEventListeners, once} from 'node:events'
import {describe, expect, it} from 'vitest'
import {deadlineSignal} from '../../src/check/deadline-signal.js'

describe('deadlineSignal', () => {
  it('aborts with a TimeoutError at its deadline, and says it timed out', async () => {
    const run = new AbortController()
    const deadline = deadlineSignal(5, run.signal)
    await once(deadline.signal, 'abort')
    expect(deadline.timedOut).toBe(true)
    expect(deadline.signal.reason).toMatchObject({name: 'TimeoutError'})
    deadline.dispose()
    expect(run.signal.aborted).toBe(false)
  })

  it('aborts with the run, with the run\'s reason, and that is no timeout', () => {
    const run = new AbortController()
    const deadline = deadlineSignal(60_000, run.signal)
    run.abort(new Error('halted'))
    expect(deadline.signal.aborted).toBe(true)
    expect(deadline.signal.reason).toMatchObject({message: 'halted'})
    expect(deadline.timedOut).toBe(false)
    deadline.dispose()
  })

  it('starts aborted when the run already is', () => {
    const run = new AbortController()
    run.abort(new Error('stopped'))
    const deadline = deadlineSignal(60_000, run.signal)
    expect(deadline.signal.aborted).toBe(true)
    deadline.dispose()
  })

  it('leaves nothing on the run\'s signal once disposed, however many attempts a run makes', () => {
    const run = new AbortController()
    for (let i = 0; i < 100; i++) deadlineSignal(60_000, run.signal).dispose()
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0)
    const open = deadlineSignal(60_000, run.signal)
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1)
    open.dispose()
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0)
  })

  it('works without a run signal', async () => {
    const deadline = deadlineSignal(1)
    await once(deadline.signal, 'abort')
    expect(deadline.timedOut).toBe(true)
  })
})
