import {rmSync} from 'node:fs'
import {dirname} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'

const runDirs: string[] = []
afterEach(() => {
  for (const dir of runDirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

describe('faultline check with a failing target.server.setup', () => {
  it('exits 3 before the server starts, quoting the setup’s output, no stack trace', async () => {
    const r = await runCli(['check', 'test/fixtures/setup-fails.yaml', '--seed', '1'])
    const log = /of its log \((\/[^)]*server\.log)\)/.exec(r.stderr)?.[1]
    if (log) runDirs.push(dirname(log))
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/the setup command `echo "restoring snapshot into \/.*\/data" .*` exited with code 5\. The server was not started\./)
    expect(r.stderr).toContain('| error: snapshot.tar not found')
    expect(log).toBeDefined()
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.stdout).toBe('')
  })
})
