import {describe, expect, it} from 'vitest'
import {EXAMPLE, edit, loadFailure, loadText} from './helpers.js'

const COMMAND = '    command: node fixtures/servers/counter.mjs --port 4100\n'

describe('target.server.setup', () => {
  it('is kept as written, templates unrendered; absent by default', async () => {
    const setup = 'mkdir -p {{runDir}}/data && cp seed.json {{runDir}}/data/accounts.json'
    const scenario = await loadText(edit(EXAMPLE, [COMMAND, `    setup: ${setup}\n${COMMAND}`]))
    expect(scenario.target.server?.setup).toBe(setup)
    expect((await loadText(EXAMPLE)).target.server?.setup).toBeUndefined()
  })

  it('takes the templates of the command, and says where another one is used', async () => {
    expect(await loadFailure(edit(EXAMPLE, [COMMAND, `    setup: cp seed.json /tmp/{{key}}.json\n${COMMAND}`]))).toBe(
      'scenario.yaml:6:12: target.server.setup: {{key}} is not available in target.server; allowed here: {{port}}, {{runDir}}, {{env.NAME}}',
    )
  })

  it('must be a non-empty command line', async () => {
    expect(await loadFailure(edit(EXAMPLE, [COMMAND, `    setup: 5\n${COMMAND}`]))).toBe('scenario.yaml:6:12: target.server.setup: must be a string (got 5)')
    expect(await loadFailure(edit(EXAMPLE, [COMMAND, `    setup: ""\n${COMMAND}`]))).toBe('scenario.yaml:6:12: target.server.setup: must not be empty')
  })
})
