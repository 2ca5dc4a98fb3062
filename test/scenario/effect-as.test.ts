import {describe, expect, it} from 'vitest'
import {EXAMPLE, edit, loadFailure, loadText} from './helpers.js'

const SELECT =
  '      select: $.value           # JSONPath to a number (effect probe) or to any JSON (state snapshot)\n'

describe('effect.as', () => {
  it('is undefined unless written, and keeps number or length', async () => {
    expect((await loadText(EXAMPLE)).endpoints[0]?.effect?.as).toBeUndefined()
    for (const as of ['number', 'length']) {
      const scenario = await loadText(edit(EXAMPLE, [SELECT, `${SELECT}      as: ${as}\n`]))
      expect(scenario.endpoints[0]?.effect).toMatchObject({select: '$.value', oracle: 'auto', as})
    }
  })

  it('rejects an unknown conversion at its line and column, listing the allowed ones', async () => {
    expect(await loadFailure(edit(EXAMPLE, [SELECT, `${SELECT}      as: hex\n`]))).toBe(
      'scenario.yaml:22:11: endpoints[0].effect.as: must be one of number, length (got "hex")',
    )
  })

  it('rejects as together with oracle: state, which does not count', async () => {
    expect(
      await loadFailure(edit(EXAMPLE, [SELECT, `${SELECT}      as: number\n      oracle: state\n`])),
    ).toMatch(
      /^scenario\.yaml:22:7: endpoints\[0\]\.effect\.as: makes a count of the selection, but oracle: state compares it whole; remove as, or write oracle: count$/,
    )
  })
})
