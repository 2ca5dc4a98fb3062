import {spawn} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {cliEnv, ROOT, runCli} from '../helpers/run-cli.js'
import {testDir} from '../helpers/temp-dir.js'
import {accepts, canListen, liveGroupMembers, waitFor} from '../supervisor/helpers.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))


/** Every server start the log records: its process-group id (the pid faultline spawned). */
function startedGroups(log: string): number[] {
  return [...log.matchAll(/start #\d+ of .*\(pid (\d+)/g)].map((m) => Number(m[1]))
}

/**
 * Run `faultline check` on many crash trials, wait until `ready(log)` says the moment has
 * come, send `signal`, and prove nothing of the run survived: no live process in any
 * server group it started, the server's port and the proxy's port both free.
 */
async function interruptRun(signal: 'SIGINT' | 'SIGTERM', ready: (log: string) => boolean) {
  const dir = testDir('fl-interrupt-')
  const eventsFile = join(dir, 'events.jsonl')
  // The run folder (kept: --keep-run-dir names the server log as the run starts) goes in `dir` too.
  const env = cliEnv({TMPDIR: dir})
  const child = spawn(process.execPath, [BIN, 'check', 'test/fixtures/crash-long.yaml', '--events', eventsFile, '--keep-run-dir'], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdout.resume()
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.on('close', (code, sig) => resolve({code, signal: sig})))
  /** The condition, or a failure that says why at once if faultline already ended. */
  const whileRunning = (condition: () => boolean) => () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`faultline ended (${child.exitCode ?? child.signalCode}) before it could be interrupted: ${stderr}`)
    return condition()
  }
  try {
    await waitFor(whileRunning(() => /faultline: server log: (\S+)/.test(stderr)), 'the server log line on stderr', 20_000)
    const logFile = /faultline: server log: (\S+)/.exec(stderr)?.[1] as string
    await waitFor(whileRunning(() => existsSync(logFile) && ready(readFileSync(logFile, 'utf8'))), 'the moment to interrupt', 20_000)
    await waitFor(() => existsSync(eventsFile) && readFileSync(eventsFile, 'utf8').includes('"type":"listen"'), 'the proxy listen event', 10_000)
    const listen = readFileSync(eventsFile, 'utf8').split('\n').find((l) => l.includes('"type":"listen"')) as string
    const proxyPort = Number(new URL((JSON.parse(listen) as {detail: {url: string}}).detail.url).port)
    const serverPort = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1])
    expect(serverPort).toBeGreaterThan(0)
    // The server is up at this moment (connect, never bind: a bind could steal the port from a
    // restarting server), so the port check after the signal can fail.
    await waitFor(() => accepts(serverPort), 'the server to accept connections')

    child.kill(signal)
    const end = await exited
    const groups = startedGroups(readFileSync(logFile, 'utf8'))
    expect(groups.length).toBeGreaterThan(0)
    for (const pgid of groups) expect(liveGroupMembers(pgid)).toEqual([])
    expect(await canListen(serverPort)).toBe(true)
    expect(await canListen(proxyPort)).toBe(true)
    return {...end, stderr, dir}
  } finally {
    child.kill('SIGKILL')
  }
}

describe('faultline check with crash faults (the real binary)', () => {
  it('Ctrl-C while the server runs: faultline dies of SIGINT and leaves no process and no port behind', async () => {
    const end = await interruptRun('SIGINT', (log) => /is ready after/.test(log))
    expect(end.signal ?? end.code).toMatch(/SIGINT|130/)
    // The first Ctrl-C stops the run in order: it says so, and the run folder --keep-run-dir
    // asked for is kept and named (without the flag an interrupted run removes it).
    expect(end.stderr).toContain('faultline: SIGINT: stopping the run; press Ctrl-C again to stop at once\n')
    expect(end.stderr).toContain(`faultline: run folder kept: ${join(end.dir, 'faultline-')}`)
  })

  it('SIGTERM in the middle of crash trials (after restarts): no orphan, no port', async () => {
    const end = await interruptRun('SIGTERM', (log) => startedGroups(log).length >= 3)
    expect(end.signal ?? end.code).toMatch(/SIGTERM|143/)
  })

  it('a server that exits on its own mid-run: exit 3, its log tail on stderr, the endpoint marked aborted', async () => {
    const r = await runCli(['check', 'test/fixtures/exits-mid-run.yaml', '--seed', '1'], {env: {TMPDIR: testDir('fl-exits-')}})
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/exited with code 70 unexpectedly/)
    expect(r.stderr).toMatch(/\| exits-mid-run: giving up on purpose at increment 6/)
    expect(r.stderr).toMatch(/of its log \(\/.*server\.log\)/)
    expect(r.stdout).toMatch(/increment {2}aborted before it finished/)
    expect(r.stdout).not.toMatch(/holds|broken/)
  })

  it('an environment failure mid-run still prints and writes what finished, then exits 3', async () => {
    const dir = testDir('fl-partial-')
    const junit = join(dir, 'junit.xml')
    const r = await runCli(['check', 'test/fixtures/exits-after-first-endpoint.yaml', '--seed', '3', '--json', '--junit', junit], {env: {TMPDIR: dir}})
    expect(r.code).toBe(3)
    const doc = JSON.parse(r.stdout)
    expect(doc.aborted).toMatchObject({code: 'FL_SERVER_EXIT', exitCode: 3})
    expect(doc.endpoints.map((e: {name: string; aborted?: string}) => [e.name, e.aborted === undefined])).toEqual([
      ['first', true],
      ['second', false],
    ])
    expect(doc.endpoints[0].contracts.atLeastOnce).toBe('holds')
    const xml = readFileSync(junit, 'utf8')
    expect(xml).toMatch(/<testcase classname="faultline.first" name="expect at-least-once"[^>]*>\s*<system-out>/)
    expect(xml).toMatch(/<error message="aborted: /)
  })
})
