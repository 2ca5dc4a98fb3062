import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ScenarioError} from '../../src/errors.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {EXAMPLE, edit, writeFiles} from './helpers.js'

async function load(text: string) {
  const dir = writeFiles({'scenario.yaml': text})
  return loadScenario(path.join(dir, 'scenario.yaml'), {env: {}})
}

async function failure(text: string): Promise<string> {
  const dir = writeFiles({'scenario.yaml': text})
  const error = await loadScenario(path.join(dir, 'scenario.yaml'), {env: {}}).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ScenarioError)
  expect((error as ScenarioError).exitCode).toBe(2)
  expect((error as ScenarioError).message).not.toContain('\n')
  return (error as ScenarioError).message.replaceAll(dir + path.sep, '')
}

const SELECT =
  '      select: $.value           # JSONPath to a number (effect probe) or to any JSON (state snapshot)\n'

describe('effect.as', () => {
  it('is undefined unless written, and keeps number or length', async () => {
    expect((await load(EXAMPLE)).endpoints[0]?.effect?.as).toBeUndefined()
    for (const as of ['number', 'length']) {
      const scenario = await load(edit(EXAMPLE, [SELECT, `${SELECT}      as: ${as}\n`]))
      expect(scenario.endpoints[0]?.effect).toMatchObject({select: '$.value', oracle: 'auto', as})
    }
  })

  it('rejects an unknown conversion at its line and column, listing the allowed ones', async () => {
    expect(await failure(edit(EXAMPLE, [SELECT, `${SELECT}      as: hex\n`]))).toBe(
      'scenario.yaml:22:11: endpoints[0].effect.as: must be one of number, length (got "hex")',
    )
  })

  it('rejects as together with oracle: state, which does not count', async () => {
    expect(
      await failure(edit(EXAMPLE, [SELECT, `${SELECT}      as: number\n      oracle: state\n`])),
    ).toMatch(
      /^scenario\.yaml:22:7: endpoints\[0\]\.effect\.as: makes a count of the selection, but oracle: state compares it whole; remove as, or write oracle: count$/,
    )
  })
})
