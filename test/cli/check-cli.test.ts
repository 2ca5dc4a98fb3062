import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {cliEnv, type CliResult, ROOT, runCli} from '../helpers/run-cli.js'
import {testDir} from '../helpers/temp-dir.js'

const servers: net.Server[] = []
const children: ChildProcess[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

/**
 * `faultline check ARGS` with its own TMPDIR (removed after the test), so whatever the run
 * leaves in the temp folder is known: `left` lists it.
 */
async function check(args: string[]): Promise<CliResult & {tmp: string; left: string[]}> {
  const tmp = testDir('fl-check-tmp-')
  const r = await runCli(['check', ...args], {env: {TMPDIR: tmp}})
  return {...r, tmp, left: readdirSync(tmp)}
}


const NO_SPACE = 'faultline: cannot write to standard output: ENOSPC (no space left on the device)\n'

/** The binary run with its stdout on /dev/full, where every write fails with ENOSPC. */
async function toFullDisk(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{code: number | null; stderr: string}> {
  const env = cliEnv(extraEnv)
  const full = openSync('/dev/full', 'w')
  try {
    const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), ...args], {cwd: ROOT, env, stdio: ['ignore', full, 'pipe']})
    children.push(child)
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    const [code] = (await once(child, 'close')) as [number | null]
    return {code, stderr}
  } finally {
    closeSync(full)
  }
}

describe('faultline check (the real binary)', () => {
  it('prints verdicts for the demo and exits 0 when every expectation holds', {timeout: 120_000}, async () => {
    const r = await check(['fixtures/demo.yaml', '--seed', '3'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/seed 3/)
    expect(r.stdout).toMatch(/naive-increment.*expect at-least-once ✓ met/)
    expect(r.stdout).toMatch(/✗ at-most-once broken by trial \d+/)
    expect(r.stdout).toMatch(/replay: faultline check fixtures\/demo.yaml --seed 3 --only naive-increment --trial \d+/)
    // Crash faults in the quick start: a durability verdict caused by a kill and restart.
    expect(r.stdout).toMatch(/durable-increment.*expect exactly-once ✓ met/)
    expect(r.stdout).toMatch(/✗ at-least-once broken by trial \d+ \(crash-after-reply\): lost acknowledged effect/)
    expect(r.stdout).toMatch(/✗ at-most-once broken by trial \d+ \(crash-after-reply\): executed 2 times/)
    expect(r.stdout).toMatch(/6 endpoints: 6 met, 0 failed .* 8 restarts, kill → ready min \d+ \/ median \d+ \/ max \d+ ms/)
    // A passing run leaves nothing behind and names no folder that is gone.
    expect(r.left).toEqual([])
    expect(r.stderr).not.toMatch(/server log|run folder/)
    expect(r.stdout).not.toMatch(/server log/)
    expect(r.stdout.includes(String.fromCharCode(27))).toBe(false) // NO_COLOR: no escape codes
  })

  it('--json prints one document of the promised shape', {timeout: 120_000}, async () => {
    const r = await check(['fixtures/demo.yaml', '--seed', '4', '--json'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({seed: 4, ok: true})
    const dedup = doc.endpoints.find((e: {name: string}) => e.name === 'dedup-increment')
    expect(dedup).toMatchObject({expect: ['exactly-once'], met: true, contracts: {exactlyOnce: 'holds', atLeastOnce: 'holds', atMostOnce: 'holds', idempotent: 'holds', replyConsistent: 'holds'}})
    const t = dedup.trials[0]
    expect(Object.keys(t)).toEqual(expect.arrayContaining(['id', 'profile', 'fault', 'injected', 'attempts', 'deliveries', 'executions', 'outcome', 'replay']))
    expect(['ok', 'failed', 'indeterminate']).toContain(t.outcome)
    // The document is written trial by trial: the same fields in the same order as the one object
    // it was printed from before, and the text JSON.stringify(doc, null, 2) gives, byte for byte.
    expect(r.stdout).toBe(`${JSON.stringify(doc, null, 2)}\n`)
    expect(Object.keys(doc)).toEqual(['version', 'seed', 'ok', 'scenario', 'durationMs', 'restarts', 'endpoints'])
    expect(doc.endpoints.map((e: {name: string}) => e.name)).toEqual(['naive-increment', 'dedup-increment', 'put-value', 'durable-increment', 'dedup-after-crash', 'ack-first-increment'])
    const endpointFields = ['name', 'expect', 'met', 'unmetReason', 'aborted', 'oracle', 'inferred', 'contracts', 'breaches', 'minimal', 'shrink', 'evidence', 'inconclusive', 'inconclusiveTrials', 'inconclusiveGroups', 'variants', 'baselineNote', 'notInjected', 'errors', 'conformance', 'trials']
    const always = ['name', 'expect', 'met', 'oracle', 'inferred', 'contracts', 'breaches', 'minimal', 'evidence', 'inconclusive', 'inconclusiveTrials', 'inconclusiveGroups', 'variants', 'notInjected', 'errors', 'trials']
    for (const e of doc.endpoints as Array<Record<string, unknown>>) {
      expect(Object.keys(e)).toEqual(endpointFields.filter((f) => f in e))
      expect(Object.keys(e)).toEqual(expect.arrayContaining(always))
    }
  })

  it('--json to a reader that went away (EPIPE, as with | head) stops quietly with the run\'s exit code', {timeout: 120_000}, async () => {
    const tmp = testDir('fl-check-tmp-')
    const env = cliEnv({TMPDIR: tmp})
    const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), 'check', 'fixtures/demo.yaml', '--only', 'put-value', '--seed', '1', '--json'], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
    children.push(child)
    // Closed before the document is written: its first write fails with EPIPE.
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const [code] = (await once(child, 'close')) as [number | null]
    expect(stderr).toBe('')
    expect(code).toBe(0)
  })

  it('--json to a full disk (/dev/full: ENOSPC) is one line and exit 3, not a stack trace', {timeout: 120_000}, async () => {
    const r = await toFullDisk(['check', 'fixtures/demo.yaml', '--only', 'put-value', '--seed', '1', '--json'], {TMPDIR: testDir('fl-check-tmp-')})
    expect(r).toEqual({code: 3, stderr: NO_SPACE})
  })

  it('text output to a full disk is the same one line and exit 3 (any command)', async () => {
    expect(await toFullDisk(['profiles'])).toEqual({code: 3, stderr: NO_SPACE})
  })

  it('exits 1 when an expectation fails, and the replay line reproduces the breaking trial', async () => {
    const r = await check(['test/fixtures/naive-expects-exactly-once.yaml', '--seed', '8'])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/expect exactly-once ✗ exactly-once is broken/)
    const replay = /replay: faultline (check .*)$/m.exec(r.stdout)?.[1]
    expect(replay).toBeDefined()
    const again = await check([...(replay as string).split(' ').slice(1), '--json'])
    expect(again.code).toBe(1)
    const doc = JSON.parse(again.stdout)
    expect(doc.endpoints[0].trials).toHaveLength(1)
    expect(doc.endpoints[0].contracts.atMostOnce).toBe('broken')
  })

  it('writes every event to --events as JSON lines, and will not overwrite the file', async () => {
    const dir = testDir('fl-events-')
    const file = join(dir, 'events.jsonl')
    const r = await check(['test/fixtures/naive-expects-exactly-once.yaml', '--seed', '1', '--events', file])
    expect(r.code).toBe(1)
    const events = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(events.some((e) => e.type === 'fault' && e.fault === 'drop-reply')).toBe(true)
    expect(events.filter((e) => e.type === 'delivery').length).toBeGreaterThan(2)
    const again = await check(['test/fixtures/naive-expects-exactly-once.yaml', '--events', file])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/the file exists/)
  })

  it('an --events path that cannot be created is bad usage, said before anything runs', async () => {
    const r = await check(['test/fixtures/naive-expects-exactly-once.yaml', '--events', '/nonexistent-dir/events.jsonl'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual(['faultline: --events /nonexistent-dir/events.jsonl: cannot create the file (ENOENT); choose a path in a writable folder'])
    expect(r.left).toEqual([])
  })

  it('writes --junit and --markdown reports, and refuses to overwrite a report file', async () => {
    const dir = testDir('fl-reports-')
    const xml = join(dir, 'junit.xml')
    const md = join(dir, 'summary.md')
    const r = await check(['test/fixtures/naive-expects-exactly-once.yaml', '--seed', '5', '--junit', xml, '--markdown', md])
    expect(r.code).toBe(1)
    expect(readFileSync(xml, 'utf8')).toMatch(/<failure message="exactly-once is broken; trial \d+: /)
    expect(readFileSync(md, 'utf8')).toMatch(/\| increment \| ❌ exactly-once \|/)
    const again = await check(['test/fixtures/naive-expects-exactly-once.yaml', '--junit', xml])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/--junit .*junit\.xml: the file exists/)
  })

  it('a bad scenario gives one line with file:line:column, exit 2 and no stack trace', async () => {
    const dir = testDir('fl-bad-')
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, readFileSync('fixtures/demo.yaml', 'utf8').replace('expect: exactly-once', 'expect: exactly_once'))
    const r = await check([file])
    expect(r.code).toBe(2)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`${file}:\\d+:\\d+: endpoints\\[1\\]\\.expect: .*exactly-once`))
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
  })

  it('a missing scenario file exits 2 with one line', async () => {
    const r = await check(['no/such/file.yaml'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('a taken port is an environment failure: exit 3', async () => {
    const blocker = net.createServer(() => undefined)
    servers.push(blocker)
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const port = (blocker.address() as net.AddressInfo).port
    const dir = testDir('fl-port-')
    const file = join(dir, 'taken.yaml')
    writeFileSync(file, readFileSync('test/fixtures/naive-expects-exactly-once.yaml', 'utf8').replaceAll('{{port}}', String(port)).replace('node fixtures', `node ${process.cwd()}/fixtures`))
    const r = await check([file])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/already in use/)
  })

  it('a failing run keeps its run folder with the server log and says where it is', async () => {
    const r = await check(['test/fixtures/naive-expects-exactly-once.yaml', '--seed', '2'])
    expect(r.code).toBe(1)
    expect(r.left).toHaveLength(1)
    const folder = join(r.tmp, r.left[0] as string)
    expect(r.stderr).toContain(`faultline: run folder kept: ${folder}\n`)
    expect(r.stdout).toContain(`server log: ${join(folder, 'server.log')}`)
    expect(readFileSync(join(folder, 'server.log'), 'utf8')).toMatch(/listening on/)
  })

  it('--keep-run-dir keeps the folder of a passing run and names the server log as it starts', async () => {
    const r = await check(['fixtures/demo.yaml', '--seed', '3', '--only', 'put-value', '--keep-run-dir'])
    expect(r.code).toBe(0)
    expect(r.left).toHaveLength(1)
    const folder = join(r.tmp, r.left[0] as string)
    expect(r.stderr).toContain(`faultline: server log: ${join(folder, 'server.log')}\n`)
    expect(r.stderr).toContain(`faultline: run folder kept: ${folder}\n`)
    expect(existsSync(join(folder, 'server.log'))).toBe(true)
  })

  it('a failing run with no server keeps no empty folder', async () => {
    const r = await check(['fixtures/demo.yaml', '--only', 'nope'])
    expect(r.code).toBe(2)
    expect(r.left).toEqual([])
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^faultline: --only nope: no such endpoint/)])
  })

  it.each([
    [['--events', 'X', '--junit', 'X'], '--events and --junit'],
    [['--junit', 'X', '--markdown', './X'], '--junit and --markdown'],
    [['--markdown', 'X', '--events', 'sub/../X'], '--events and --markdown'],
  ])('two outputs naming one file (%j) is bad usage naming both flags', async (flags, named) => {
    const dir = testDir('fl-same-')
    const out = join(dir, 'out')
    const spelled: Record<string, string> = {X: out, './X': `${dir}/./out`, 'sub/../X': `${dir}/sub/../out`}
    const args = flags.map((f) => spelled[f] ?? f)
    const r = await check(['test/fixtures/naive-expects-exactly-once.yaml', ...args])
    expect(r.code).toBe(2)
    const [first, second] = named.split(' and ')
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^faultline: (${first} and ${second}|${second} and ${first}) name the same file \\(.*out\\); give each output a file of its own$`))
    expect(existsSync(out)).toBe(false)
    expect(r.left).toEqual([])
  })

  it('--seed must be a safe integer: the replay line must reproduce the run', async () => {
    const r = await check(['fixtures/demo.yaml', '--seed', '9007199254740992'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual([
      'faultline: --seed: Expected an integer less than or equal to 9007199254740991 but received: 9007199254740992 (see faultline check --help)',
    ])
    expect(r.left).toEqual([])
    const e = await check(['fixtures/demo.yaml', '--seed', '1e300'])
    expect(e.code).toBe(2)
    expect(e.stderr.trim().split('\n')).toEqual(['faultline: --seed: Expected an integer but received: 1e300 (see faultline check --help)'])
  })

  it('--trial without --only is bad usage', async () => {
    const r = await check(['fixtures/demo.yaml', '--trial', '2'])
    expect(r.code).toBe(2)
  })
})

describe('faultline profiles', () => {
  it('lists the built-in profiles with their descriptions', async () => {
    const r = await runCli(['profiles'])
    expect(r.code).toBe(0)
    for (const name of ['drop-request', 'drop-reply', 'duplicate', 'delay-past-timeout', 'crash-after-reply']) expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'))
    for (const name of ['status-503', 'status-429-retry-after', 'status-503-after-reply']) expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'))
    for (const name of ['crash-primary-after-reply-left-down', 'partition-primary-after-delivery', 'replication-drop']) expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'))
    expect(r.stdout).toContain('crash-after-reply(primary left down) on attempt 1')
    expect(r.stdout).toContain('status(429, request, retry after 1s) on attempt 1')
  })
})
