import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {existsSync, readdirSync, readFileSync, watch, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it, onTestFinished} from 'vitest'
import {cliEnv, ROOT} from '../helpers/run-cli.js'
import {testDir} from '../helpers/temp-dir.js'
import {accepts, liveGroupMembers} from '../supervisor/helpers.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

/** Resolves once `file` exists in `dir`; woken by changes in the folder, never by a clock. */
function untilFile(dir: string, name: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dir, () => look())
    const look = () => {
      if (!existsSync(join(dir, name))) return
      watcher.close()
      resolve()
    }
    look()
  })
}

describe('faultline check with a client command against replicas, interrupted', () => {
  it('Ctrl-C while the command runs leaves no replica, client process or trial listener, and no temp folder (an interrupted run removes its run folder)', {timeout: 60_000}, async () => {
    const dir = testDir('fl-replicas-client-sigint-')
    const file = join(dir, 'scenario.yaml')
    const events = join(dir, 'events.jsonl')
    // The command writes the trial's listener URLs (atomically, by rename), then waits.
    writeFileSync(
      file,
      `version: 1
target:
  protocol: http
  replicas:
    - name: primary
      role: primary
      url: http://127.0.0.1:{{port}}
      server: { command: node fixtures/servers/replicated-counter.mjs --role primary --port {{port}} --peer {{replicationUrl}}, ready: { http: /health } }
    - name: backup
      role: backup
      url: http://127.0.0.1:{{port}}
      server: { command: node fixtures/servers/replicated-counter.mjs --role backup --port {{port}}, ready: { http: /health } }
client:
  command: echo {{replicaUrls}} > ${dir}/urls.part && mv ${dir}/urls.part ${dir}/urls && exec sleep 600
  timeout: 10m
endpoints:
  - name: e
    match: { method: POST }
    effect: { request: { method: GET, path: /sync/counters/{{key}} }, select: $.value, replica: all }
`,
    )
    const env = cliEnv({TMPDIR: dir})
    const child = spawn(process.execPath, [BIN, 'check', file, '--events', events], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
    onTestFinished(() => void child.kill('SIGKILL'))
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.resume()
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>

    await Promise.race([
      untilFile(dir, 'urls'),
      exited.then(() => {
        throw new Error(`faultline ended before the client command ran; stderr: ${stderr}`)
      }),
    ])
    const urls = readFileSync(join(dir, 'urls'), 'utf8').trim().split(',')
    expect(urls).toHaveLength(2)
    child.kill('SIGINT')
    const [code, signal] = await exited
    expect(signal ?? code).toMatch(/SIGINT|130/)
    expect(stderr).not.toMatch(/internal error|\bat .*\.js:\d+/)

    const lines = readFileSync(events, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as {type: string; detail?: Record<string, unknown>})
    const groups = lines.flatMap((e) => ((e.type === 'supervisor' && e.detail?.action === 'started') || (e.type === 'client' && e.detail?.action === 'start') ? [Number(e.detail.pid)] : []))
    // Two replicas and the client command's group: none of them has a live process.
    expect(groups).toHaveLength(3)
    for (const pgid of groups) expect(liveGroupMembers(pgid)).toEqual([])
    // The trial's own listeners, one per replica, and every other listener of the run are closed.
    const listeners = lines.flatMap((e) => (e.type === 'listen' && typeof e.detail?.url === 'string' ? [e.detail.url] : []))
    for (const url of new Set([...urls, ...listeners])) expect(await accepts(Number(new URL(url).port))).toBe(false)
    // No temp folder is left behind: an interrupted run removes its run folder.
    expect(stderr).not.toContain('run folder kept')
    expect(readdirSync(dir).filter((name) => name.startsWith('faultline-'))).toEqual([])
  })
})
