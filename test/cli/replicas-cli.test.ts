import {spawn} from 'node:child_process'
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {cliEnv, ROOT, runCli} from '../helpers/run-cli.js'
import {testDir} from '../helpers/temp-dir.js'
import {canListen, liveGroupMembers, waitFor} from '../supervisor/helpers.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

/** Every start a replica log records: its process-group id (the pid faultline spawned). */
function startedGroups(log: string): number[] {
  return [...log.matchAll(/start #\d+ of .*\(pid (\d+)/g)].map((m) => Number(m[1]))
}

function listeningPorts(log: string): number[] {
  return [...log.matchAll(/listening on http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]))
}

/**
 * Run faultline on `scenario`, send SIGINT once a line of its events file passes `when`, and
 * check that it died of SIGINT leaving no replica process and none of `ports` ports listening
 * (replicas, their proxies and the replication link's proxy).
 */
async function interruptWhen(scenario: string, when: (line: string) => boolean, what: string, ports: number): Promise<void> {
  const dir = testDir('fl-replicas-int-')
  const eventsFile = join(dir, 'events.jsonl')
  const env = cliEnv({TMPDIR: dir})
  const child = spawn(process.execPath, [BIN, 'check', scenario, '--events', eventsFile, '--keep-run-dir'], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdout.resume()
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.on('close', (code, sig) => resolve({code, signal: sig})))
  const running = (condition: () => boolean) => () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`faultline ended before it could be interrupted: ${stderr}`)
    return condition()
  }
  try {
    const seen = () => existsSync(eventsFile) && readFileSync(eventsFile, 'utf8').split('\n').some(when)
    await waitFor(running(seen), what, 25_000)
    child.kill('SIGINT')
    const end = await exited
    expect(end.signal ?? end.code).toMatch(/SIGINT|130/)
    const logFile = /faultline: server log: (\S+)/.exec(stderr)?.[1] as string
    const logs = ['replica-primary.log', 'replica-backup.log'].map((name) => readFileSync(join(dirname(logFile), name), 'utf8'))
    const groups = logs.flatMap(startedGroups)
    expect(groups.length).toBeGreaterThanOrEqual(2) // the backup and the primary (its restart may have begun)
    for (const pgid of groups) expect(liveGroupMembers(pgid)).toEqual([])
    const listens = readFileSync(eventsFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"type":"listen"'))
      .map((l) => (JSON.parse(l) as {detail: {url?: string; listen?: string}}).detail)
      .map((d) => Number(d.url ? new URL(d.url).port : d.listen?.split(':').at(-1)))
    const found = [...new Set([...logs.flatMap(listeningPorts), ...listens])]
    expect(found.length).toBe(ports)
    for (const port of found) expect(await canListen(port)).toBe(true)
  } finally {
    child.kill('SIGKILL')
  }
}

describe('faultline check on replicated servers (the real binary)', () => {
  it('Ctrl-C while the primary is down mid-failover: no process of any replica, no port, dies of SIGINT', async () => {
    // The moment the primary was killed and before it is back: the failover is under way.
    await interruptWhen('test/fixtures/replicas-long.yaml', (l) => l.includes('"proxy":"primary"') && l.includes('"action":"killed"'), 'the primary to be killed by a crash fault', 4)
  })

  it('Ctrl-C while the primary is partitioned off: no process, no port (the link proxy too), dies of SIGINT', async () => {
    await interruptWhen('test/fixtures/replicas-partition-long.yaml', (l) => l.includes('"proxy":"primary"') && l.includes('"action":"partitioned"'), 'the primary to be partitioned off', 5)
  })

  // Three endpoints of crash trials, each restart a Node start: bounded generously for a loaded machine.
  it('the demo exits 0 and removes its run folder', {timeout: 90_000}, async () => {
    const dir = testDir('fl-replicas-demo-')
    const r = await runCli(['check', 'fixtures/replicas-demo.yaml', '--seed', '4', '--no-shrink'], {env: {TMPDIR: dir}})
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/3 endpoints: 3 met, 0 failed/)
    expect(readdirSync(dir)).toEqual([])
  })
})
