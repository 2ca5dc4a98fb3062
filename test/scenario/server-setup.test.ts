import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ScenarioError} from '../../src/errors.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {EXAMPLE, edit, writeFiles} from './helpers.js'

const COMMAND = '    command: node fixtures/servers/counter.mjs --port 4100\n'

async function load(text: string) {
  const dir = writeFiles({'scenario.yaml': text})
  return loadScenario(path.join(dir, 'scenario.yaml'), {env: {}})
}

/** The one-line message loading `text` fails with, the temp path shortened to its file name. */
async function failure(text: string): Promise<string> {
  const error = await load(text).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ScenarioError)
  const message = (error as ScenarioError).message
  expect(message.split('\n')).toHaveLength(1)
  return message.replace(/^.*[\\/]scenario\.yaml/, 'scenario.yaml')
}

describe('target.server.setup', () => {
  it('is kept as written, templates unrendered; absent by default', async () => {
    const setup = 'mkdir -p {{runDir}}/data && cp seed.json {{runDir}}/data/accounts.json'
    const scenario = await load(edit(EXAMPLE, [COMMAND, `    setup: ${setup}\n${COMMAND}`]))
    expect(scenario.target.server?.setup).toBe(setup)
    expect((await load(EXAMPLE)).target.server?.setup).toBeUndefined()
  })

  it('takes the templates of the command, and says where another one is used', async () => {
    expect(await failure(edit(EXAMPLE, [COMMAND, `    setup: cp seed.json /tmp/{{key}}.json\n${COMMAND}`]))).toBe(
      'scenario.yaml:6:12: target.server.setup: {{key}} is not available in target.server; allowed here: {{port}}, {{runDir}}, {{env.NAME}}',
    )
  })

  it('must be a non-empty command line', async () => {
    expect(await failure(edit(EXAMPLE, [COMMAND, `    setup: 5\n${COMMAND}`]))).toBe('scenario.yaml:6:12: target.server.setup: must be a string (got 5)')
    expect(await failure(edit(EXAMPLE, [COMMAND, `    setup: ""\n${COMMAND}`]))).toBe('scenario.yaml:6:12: target.server.setup: must not be empty')
  })
})
