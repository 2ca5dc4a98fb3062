import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {isGroupAlive, isProcessAlive, signalGroup} from '../../src/supervisor/process-group.js'
import {cliEnv, ROOT, runCli} from '../helpers/run-cli.js'
import {startCountingServer} from '../helpers/servers.js'
import {testDir} from '../helpers/temp-dir.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
const FETCH = fileURLToPath(new URL('../../fixtures/clients/fetch-once.mjs', import.meta.url))
const STUBBORN = fileURLToPath(new URL('../fixtures/workloads/stubborn.mjs', import.meta.url))

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const UPSTREAM = 'http://127.0.0.1:1'
const WORKLOAD = ['--', process.execPath, FETCH, 'GET', '{{proxyUrl}}/x']

describe('faultline audit: bad usage is one line and exit 2', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown --require rule, listing the valid ones', ['--upstream', UPSTREAM, '--require', 'retries-503,retry-lost-reply', ...WORKLOAD], /^faultline: --require: unknown rule "retry-lost-reply" \(did you mean retries-lost-reply\?\); valid rules: retries-lost-request, .*same-request-id.*\n$/],
    ['no workload', ['--upstream', UPSTREAM], /^faultline: give the workload command after --, e\.g\. .*\n$/],
    ['an upstream that is not a URL', ['--upstream', 'localhost', ...WORKLOAD], /^faultline: --upstream: "localhost" is not a URL; write e\.g\. http:\/\/127\.0\.0\.1:3000\n$/],
    ['a bad duration', ['--upstream', UPSTREAM, '--timeout', 'soon', ...WORKLOAD], /^faultline: --timeout: must be a duration like 300ms, 1\.5s or 2m .*\n$/],
    ['an unknown profile', ['--upstream', UPSTREAM, '--profiles', 'status-504', ...WORKLOAD], /^faultline: --profiles: unknown profile "status-504".*\n$/],
    ['a crash profile', ['--upstream', UPSTREAM, '--profiles', 'crash-after-reply', ...WORKLOAD], /^faultline: --profiles: crash-after-reply is a crash-after-reply fault, which needs `faultline check`.*\n$/],
    ['gRPC without a proto', ['--upstream', 'grpc://127.0.0.1:1', '--protocol', 'grpc', ...WORKLOAD], /^faultline: --proto: a gRPC audit needs the \.proto file.*\n$/],
    ['an unknown flag', ['--upstream', UPSTREAM, '--bogus', ...WORKLOAD], /^faultline: .*--bogus.*\(see faultline audit --help\)\n$/],
    ['a profile framed TCP cannot apply', ['--protocol', 'tcp', '--upstream', 'tcp://127.0.0.1:1', '--profiles', 'status-429-retry-after', ...WORKLOAD], /^faultline: --profiles: status-429-retry-after uses status faults with retryAfter, which --protocol tcp does not support \(only http, jsonrpc, grpc\); choose another profile .*\n$/],
    ['a gRPC status on framed TCP', ['--protocol', 'tcp', '--upstream', 'tcp://127.0.0.1:1', '--profiles', 'status-unavailable', ...WORKLOAD], /^faultline: --profiles: status-unavailable uses status faults with mode UNAVAILABLE, which --protocol tcp does not support \(only grpc\).*\n$/],
    ['a tcp upstream that is not tcp://', ['--protocol', 'tcp', '--upstream', UPSTREAM, ...WORKLOAD], /^faultline: --upstream: "http:\/\/127\.0\.0\.1:1" for --protocol tcp must be tcp:\/\/host:port\n$/],
    ['a tcp flag without --protocol tcp', ['--upstream', UPSTREAM, '--reply-id', '$.id', ...WORKLOAD], /^faultline: --reply-id applies to --protocol tcp only; remove it or add --protocol tcp\n$/],
    ['a bad JSONPath', ['--protocol', 'tcp', '--upstream', 'tcp://127.0.0.1:1', '--route', 'op', ...WORKLOAD], /^faultline: --route op: not a valid JSONPath: must start with \$.*\n$/],
    ['a length header without length-prefixed framing', ['--protocol', 'tcp', '--upstream', 'tcp://127.0.0.1:1', '--header-bytes', '2', ...WORKLOAD], /^faultline: --header-bytes and --byte-order describe length-prefixed frames; add --framing length-prefixed\n$/],
  ]
  it.each(cases)('%s', async (_, args, message) => {
    const r = await runCli(['audit', ...args])
    expect(r.stderr).toMatch(message)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
  })

  it('a bad --profiles-file names file:line:column and the field', async () => {
    const dir = testDir('fl-audit-profiles-')
    const file = join(dir, 'profiles.yaml')
    writeFileSync(file, 'profiles:\n  - name: slow-503\n    description: 503s\n    faults:\n      - type: status\n        mode: 503\n        retryAfter: soon\n')
    const r = await runCli(['audit', '--upstream', UPSTREAM, '--profiles-file', file, '--profiles', 'slow-503', ...WORKLOAD])
    expect(r.stderr).toMatch(new RegExp(`^faultline: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:21: .*retryAfter.*\n$`))
    expect(r.code).toBe(2)
  })

  it('a workload that cannot be started is an environment failure (exit 3)', async () => {
    const r = await runCli(['audit', '--upstream', UPSTREAM, '--', '/nonexistent/client'])
    expect(r.stderr).toBe('faultline: seed ' + /seed (\d+)/.exec(r.stderr)?.[1] + '\nfaultline: cannot run the workload /nonexistent/client: no such program\n')
    expect(r.code).toBe(3)
  })
})

describe('faultline audit: reports', () => {
  it('exits 1 naming the unmet --require rule, and writes --json, --junit and --markdown', async () => {
    const server = await startCountingServer()
    cleanups.push(server.close)
    const dir = testDir('fl-audit-cli-')
    const junit = join(dir, 'audit.xml')
    const markdown = join(dir, 'audit.md')
    const args = ['audit', '--upstream', server.url, '--profiles', 'status-503', '--runs', '2', '--seed', '3', '--require', 'retries-503']
    const r = await runCli([...args, '--json', '--junit', junit, '--markdown', markdown, '--', process.execPath, FETCH, 'PUT', '{{proxyUrl}}/kv/{{run}}', '--body', '{"v":{{run}}}'])
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({seed: 3, ok: false, required: ['retries-503'], unmet: [{rule: 'retries-503', route: 'PUT /kv/{id}', found: 'no'}]})
    expect(doc.routes[0].findings['retries-503']).toMatchObject({status: 'no', wanted: 'yes'})
    expect(doc.routes[0].operations[0].attempts[0]).toMatchObject({method: 'PUT', target: '/kv/1', fault: 'status(503)', faultFired: true, grouped: {rule: 'first'}})
    expect(doc.runs.map((run: {exitCode: number}) => run.exitCode)).toEqual([1, 1])
    const xml = readFileSync(junit, 'utf8')
    expect(xml).toContain('<testcase classname="faultline.audit.PUT_/kv/{id}" name="retries-503: no"')
    expect(xml).toContain('<failure message="required retries-503: no, wanted yes')
    expect(readFileSync(markdown, 'utf8')).toContain('| retries-503 * | ❌ no | not retried after 2 faulted operations |')

    // The same run in the terminal: the table, and one line on stderr naming what failed.
    const t = await runCli([...args, '--verbose', '--', process.execPath, FETCH, 'PUT', '{{proxyUrl}}/kv/{{run}}'])
    expect(t.code).toBe(1)
    expect(t.stdout).toMatch(/│ retries-503 \*\s+│ no\s+│ not retried after 2 faulted operations/)
    expect(t.stdout).toContain('grouped: first: no failed attempt with the same method, target and body within the window')
    expect(t.stderr).toContain('faultline: required retries-503: no on PUT /kv/{id}\n')
  }, 60_000)

  it('Ctrl-C stops a workload that traps signals and forks a child ignoring SIGTERM: nothing is left running', async () => {
    const env = cliEnv()
    const child = spawn(process.execPath, [BIN, 'audit', '--upstream', UPSTREAM, '--', process.execPath, STUBBORN], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
    cleanups.push(() => void child.kill('SIGKILL'))
    child.stdout.resume()
    let stderr = ''
    const ready = new Promise<number[]>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        const match = /ready (\d+) (\d+)/.exec(stderr)
        if (match) resolve([Number(match[1]), Number(match[2])])
      })
    })
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
    const pids = await ready
    cleanups.push(() => void signalGroup(pids[0] as number, 'SIGKILL'))
    child.kill('SIGINT')
    const [code, signal] = await exited
    expect(signal ?? code).toMatch(/SIGINT|130/)
    expect(isProcessAlive(pids[0] as number)).toBe(false)
    expect(isProcessAlive(pids[1] as number)).toBe(false)
    expect(isGroupAlive(pids[0] as number)).toBe(false)
  }, 60_000)
})
