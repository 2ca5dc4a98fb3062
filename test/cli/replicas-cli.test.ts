import {spawn} from 'node:child_process'
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {ROOT, runCli} from '../helpers/run-cli.js'
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

describe('faultline check on replicated servers (the real binary)', () => {
  it('Ctrl-C while the primary is down mid-failover: no process of any replica, no port, dies of SIGINT', async () => {
    const dir = testDir('fl-replicas-int-')
    const eventsFile = join(dir, 'events.jsonl')
    const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', TMPDIR: dir}
    delete env.NODE_ENV
    const child = spawn(process.execPath, [BIN, 'check', 'test/fixtures/replicas-long.yaml', '--events', eventsFile, '--keep-run-dir'], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.resume()
    const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.on('close', (code, sig) => resolve({code, signal: sig})))
    const running = (condition: () => boolean) => () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`faultline ended before it could be interrupted: ${stderr}`)
      return condition()
    }
    try {
      // The moment the primary was killed and before it is back: the failover is under way.
      const killed = () => existsSync(eventsFile) && readFileSync(eventsFile, 'utf8').split('\n').some((l) => l.includes('"proxy":"primary"') && l.includes('"action":"killed"'))
      await waitFor(running(killed), 'the primary to be killed by a crash fault', 25_000)
      child.kill('SIGINT')
      const end = await exited
      expect(end.signal ?? end.code).toMatch(/SIGINT|130/)
      const logFile = /faultline: server log: (\S+)/.exec(stderr)?.[1] as string
      const logs = ['replica-primary.log', 'replica-backup.log'].map((name) => readFileSync(join(dirname(logFile), name), 'utf8'))
      const groups = logs.flatMap(startedGroups)
      expect(groups.length).toBeGreaterThanOrEqual(2) // the backup and the primary (its restart may have begun)
      for (const pgid of groups) expect(liveGroupMembers(pgid)).toEqual([])
      const proxyPorts = readFileSync(eventsFile, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"type":"listen"'))
        .map((l) => Number(new URL((JSON.parse(l) as {detail: {url: string}}).detail.url).port))
      const ports = [...new Set([...logs.flatMap(listeningPorts), ...proxyPorts])]
      expect(ports.length).toBe(4)
      for (const port of ports) expect(await canListen(port)).toBe(true)
    } finally {
      child.kill('SIGKILL')
    }
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
