import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'

const servers: net.Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})

describe('faultline check (the real binary)', () => {
  it('prints verdicts for the demo and exits 0 when every expectation holds', {timeout: 120_000}, async () => {
    const r = await runCli(['check', 'fixtures/demo.yaml', '--seed', '3'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/seed 3/)
    expect(r.stdout).toMatch(/naive-increment.*expect at-least-once ✓ met/)
    expect(r.stdout).toMatch(/✗ at-most-once broken by trial \d+/)
    expect(r.stdout).toMatch(/replay: faultline check fixtures\/demo.yaml --seed 3 --only naive-increment --trial \d+/)
    // Crash faults in the quick start: a durability verdict caused by a kill and restart.
    expect(r.stdout).toMatch(/durable-increment.*expect exactly-once ✓ met/)
    expect(r.stdout).toMatch(/✗ at-least-once broken by trial \d+ \(crash-after-reply\): lost acknowledged effect/)
    expect(r.stdout).toMatch(/✗ at-most-once broken by trial \d+ \(crash-after-reply\): executed 2 times/)
    expect(r.stdout).toMatch(/6 endpoints: 6 met, 0 failed .* 8 restarts, kill → ready min \d+ \/ median \d+ \/ max \d+ ms/)
    expect(r.stderr).toMatch(/faultline: server log: \/.*server\.log/)
    expect(r.stdout.includes(String.fromCharCode(27))).toBe(false) // NO_COLOR: no escape codes
  })

  it('--json prints one document of the promised shape', {timeout: 120_000}, async () => {
    const r = await runCli(['check', 'fixtures/demo.yaml', '--seed', '4', '--json'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({seed: 4, ok: true})
    const dedup = doc.endpoints.find((e: {name: string}) => e.name === 'dedup-increment')
    expect(dedup).toMatchObject({expect: ['exactly-once'], met: true, contracts: {exactlyOnce: 'holds', atLeastOnce: 'holds', atMostOnce: 'holds', idempotent: 'holds', replyConsistent: 'holds'}})
    const t = dedup.trials[0]
    expect(Object.keys(t)).toEqual(expect.arrayContaining(['id', 'profile', 'fault', 'injected', 'attempts', 'deliveries', 'executions', 'outcome', 'replay']))
    expect(['ok', 'failed', 'indeterminate']).toContain(t.outcome)
  })

  it('exits 1 when an expectation fails, and the replay line reproduces the breaking trial', async () => {
    const r = await runCli(['check', 'test/fixtures/naive-expects-exactly-once.yaml', '--seed', '8'])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/expect exactly-once ✗ exactly-once is broken/)
    const replay = /replay: faultline (check .*)$/m.exec(r.stdout)?.[1]
    expect(replay).toBeDefined()
    const again = await runCli([...(replay as string).split(' '), '--json'])
    expect(again.code).toBe(1)
    const doc = JSON.parse(again.stdout)
    expect(doc.endpoints[0].trials).toHaveLength(1)
    expect(doc.endpoints[0].contracts.atMostOnce).toBe('broken')
  })

  it('writes every event to --events as JSON lines, and will not overwrite the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-events-'))
    const file = join(dir, 'events.jsonl')
    const r = await runCli(['check', 'test/fixtures/naive-expects-exactly-once.yaml', '--seed', '1', '--events', file])
    expect(r.code).toBe(1)
    const events = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(events.some((e) => e.type === 'fault' && e.fault === 'drop-reply')).toBe(true)
    expect(events.filter((e) => e.type === 'delivery').length).toBeGreaterThan(2)
    const again = await runCli(['check', 'test/fixtures/naive-expects-exactly-once.yaml', '--events', file])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/the file exists/)
  })

  it('an --events path that cannot be created is bad usage, said before anything runs', async () => {
    const r = await runCli(['check', 'test/fixtures/naive-expects-exactly-once.yaml', '--events', '/nonexistent-dir/events.jsonl'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual(['faultline: --events /nonexistent-dir/events.jsonl: cannot create the file (ENOENT); choose a path in a writable folder'])
  })

  it('writes --junit and --markdown reports, and refuses to overwrite a report file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-reports-'))
    const xml = join(dir, 'junit.xml')
    const md = join(dir, 'summary.md')
    const r = await runCli(['check', 'test/fixtures/naive-expects-exactly-once.yaml', '--seed', '5', '--junit', xml, '--markdown', md])
    expect(r.code).toBe(1)
    expect(readFileSync(xml, 'utf8')).toMatch(/<failure message="exactly-once is broken; trial \d+: /)
    expect(readFileSync(md, 'utf8')).toMatch(/\| increment \| ❌ exactly-once \|/)
    const again = await runCli(['check', 'test/fixtures/naive-expects-exactly-once.yaml', '--junit', xml])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/--junit .*junit\.xml: the file exists/)
  })

  it('a bad scenario gives one line with file:line:column, exit 2 and no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-bad-'))
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, readFileSync('fixtures/demo.yaml', 'utf8').replace('expect: exactly-once', 'expect: exactly_once'))
    const r = await runCli(['check', file])
    expect(r.code).toBe(2)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`${file}:\\d+:\\d+: endpoints\\[1\\]\\.expect: .*exactly-once`))
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
  })

  it('a missing scenario file exits 2 with one line', async () => {
    const r = await runCli(['check', 'no/such/file.yaml'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('a taken port is an environment failure: exit 3', async () => {
    const blocker = net.createServer(() => undefined)
    servers.push(blocker)
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const port = (blocker.address() as net.AddressInfo).port
    const dir = mkdtempSync(join(tmpdir(), 'fl-port-'))
    const file = join(dir, 'taken.yaml')
    writeFileSync(file, readFileSync('test/fixtures/naive-expects-exactly-once.yaml', 'utf8').replaceAll('{{port}}', String(port)).replace('node fixtures', `node ${process.cwd()}/fixtures`))
    const r = await runCli(['check', file])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/already in use/)
  })

  it('--trial without --only is bad usage', async () => {
    const r = await runCli(['check', 'fixtures/demo.yaml', '--trial', '2'])
    expect(r.code).toBe(2)
  })
})

describe('faultline profiles', () => {
  it('lists the built-in profiles with their descriptions', async () => {
    const r = await runCli(['profiles'])
    expect(r.code).toBe(0)
    for (const name of ['drop-request', 'drop-reply', 'duplicate', 'delay-past-timeout', 'crash-after-reply']) expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'))
  })
})
