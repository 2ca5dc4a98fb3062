// Prints, in one run on this machine: requests/s and p50/p99 latency for 20 keep-alive
// connections of small JSON POSTs — direct; through faultline's HTTP proxy library (no
// faults, its own process, no log); through `faultline proxy` as users run it (a separate CLI
// process, default live log, its output going to a file), with no fault rule, with one rule
// that never matches, and with --quiet (no live log: what the log costs); and through
// http-proxy (npm) — then the ratios the performance goals are stated in, and the wall time of
// the demo check. Not a test: figures only.
//
// Load comes from wrk when it is installed (a C load generator that leaves the CPU to the
// servers; `apt-get install wrk`), else from autocannon. Each target is warmed up, then
// measured in ROUNDS interleaved rounds; the median round is reported. Each round also reads
// the target process's CPU time (/proc/PID/stat, Linux) and prints CPU microseconds per
// request: what a request costs the proxy itself, steadier than requests/s under load.
//
// BENCH_INSTRUCTIONS=1 counts instructions per request instead (valgrind's callgrind, see
// callgrind.mjs): BENCH_REQUESTS (1000) warm-up requests, then as many counted, per target.
// Slow (Node under valgrind: minutes per target) but repeatable on a loaded machine.
//
// BENCH_BASELINE=DIR adds one more target: the faultline proxy of another checkout, built
// (`npm run build` there), e.g. a git worktree of an older commit. Its own
// bench/servers/faultline-proxy.mjs runs it, interleaved with the others, and the run ends
// with this checkout's requests/s over the baseline's.
import {execFileSync, fork, spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import autocannon from 'autocannon'
import {hasCallgrind, instructionsPerRequest} from './callgrind.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const BASELINE = process.env.BENCH_BASELINE
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = 20
const INSTRUCTIONS = process.env.BENCH_INSTRUCTIONS === '1'
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000)
const BODY = JSON.stringify({item: 'book', qty: 1})

function hasWrk() {
  try {
    execFileSync('wrk', ['--version'], {stdio: 'ignore'})
    return true
  } catch (err) {
    return err.status === 1 // wrk --version prints its version and exits 1
  }
}

async function start(script, args = []) {
  const child = fork(script, args, {stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
  const [message] = await once(child, 'message')
  return {child, pid: child.pid, url: `http://127.0.0.1:${message.port}`}
}

/** User + system CPU time of a process so far, in microseconds (Linux; 100 ticks a second). */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

function wrkLoader() {
  const script = join(mkdtempSync(join(tmpdir(), 'fl-bench-')), 'post.lua')
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = '${BODY}'\nwrk.headers["Content-Type"] = "application/json"\n`)
  const ms = (text) => {
    const [, n, unit] = /([\d.]+)(us|ms|s)/.exec(text)
    return Number(n) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1)
  }
  return async (url, seconds) => {
    const out = execFileSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', script, `${url}/orders`]).toString()
    const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0
    const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
    return {
      requests: Number(/(\d+) requests in/.exec(out)[1]),
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]),
      p50: ms(/^\s+50%\s+(\S+)/m.exec(out)[1]),
      p99: ms(/^\s+99%\s+(\S+)/m.exec(out)[1]),
      errors: Number(errors) + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
    }
  }
}

function autocannonLoader() {
  return async (url, seconds) => {
    const r = await autocannon({url: `${url}/orders`, connections: CONNECTIONS, duration: seconds, method: 'POST', headers: {'content-type': 'application/json'}, body: BODY})
    return {requests: r.requests.total, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx}
  }
}

/**
 * `faultline proxy` as users run it: the built CLI in its own process, default output (the
 * live log) to a file. Its address is read from the log's start line.
 */
async function startCli(upstreamUrl, extra = []) {
  const {argv, env, stdio, ready, dir} = cliCommand(upstreamUrl, extra)
  const child = spawn(process.execPath, argv, {stdio, env})
  const exited = once(child, 'exit')
  const url = await ready(child)
  return {child: {kill: () => {child.kill('SIGTERM'); return exited.then(() => rmSync(dir, {recursive: true, force: true}))}}, pid: child.pid, url}
}

/** The command line of `faultline proxy` with its output to a file, and how to read its address from the log's start line. */
function cliCommand(upstreamUrl, extra) {
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-cli-'))
  const out = join(dir, 'proxy.log')
  const env = {...process.env, NO_COLOR: '1'}
  delete env.NODE_ENV
  const argv = [here('../bin/run.js'), 'proxy', '--listen', '127.0.0.1:0', '--upstream', upstreamUrl, '--seed', '1', ...extra]
  const ready = async (child) => {
    const exited = once(child, 'exit').then(() => true)
    for (;;) {
      const match = /faultline proxy (http:\/\/127\.0\.0\.1:\d+)/.exec(readFileSync(out, 'utf8'))
      if (match) return match[1]
      const gone = await Promise.race([exited, new Promise((r) => setTimeout(() => r(false), 50))])
      if (gone) throw new Error(`faultline proxy exited before listening; see ${out}`)
    }
  }
  return {argv, env, stdio: ['ignore', openSync(out, 'w'), 'inherit'], ready, dir}
}

const median = (runs) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]
const middle = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

// The goals, as pairs of targets: a over b, in requests/s (and in what a request costs: b's over a's).
const GOALS = [
  ['library / http-proxy', 'faultline library', 'http-proxy', '≥ 2.5×'],
  ['CLI / http-proxy', 'faultline proxy (CLI)', 'http-proxy', '≥ 2.5×'],
  ['library / direct', 'faultline library', 'direct', '≥ 0.4×'],
  ['CLI / direct', 'faultline proxy (CLI)', 'direct', '≥ 0.4×'],
  ['CLI / library', 'faultline proxy (CLI)', 'faultline library', '≥ 0.9×'],
  ['unmatched rule / no rule (CLI)', 'CLI, unmatched rule', 'faultline proxy (CLI)', '≥ 0.9×'],
  // what the live log costs: the same CLI with its default output over the CLI with --quiet
  ['live log: CLI / CLI --quiet', 'faultline proxy (CLI)', 'CLI --quiet', '≥ 0.9×'],
]
const UNMATCHED_RULE = ['--fault', 'drop-reply', '--path', '/never/**']

if (INSTRUCTIONS) await countInstructions()
else await measureThroughput()

async function measureThroughput() {
  const useWrk = hasWrk()
  const load = useWrk ? wrkLoader() : autocannonLoader()
  const upstream = await start(here('./servers/upstream.mjs'))
  const targets = [
    {name: 'direct', ...upstream},
    {name: 'faultline library', ...(await start(here('./servers/faultline-proxy.mjs'), [upstream.url]))},
    {name: 'faultline proxy (CLI)', ...(await startCli(upstream.url))},
    // a rule in force that never matches: the rule engine's cost on every request
    {name: 'CLI, unmatched rule', ...(await startCli(upstream.url, UNMATCHED_RULE))},
    {name: 'CLI --quiet', ...(await startCli(upstream.url, ['--quiet']))},
    {name: 'http-proxy', ...(await start(here('./servers/http-proxy-reference.mjs'), [upstream.url]))},
  ]
  if (BASELINE) targets.push({name: 'faultline baseline', ...(await start(join(BASELINE, 'bench/servers/faultline-proxy.mjs'), [upstream.url]))})
  try {
    for (const t of targets) await load(t.url, 2) // warm-up: JIT, connections
    const runs = new Map(targets.map((t) => [t.name, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        const before = cpuMicros(t.pid)
        const result = await load(t.url, SECONDS)
        runs.get(t.name).push({...result, cpu: (cpuMicros(t.pid) - before) / result.requests})
      }
    }
    const base = median(runs.get('direct')).rps
    console.log(`HTTP keep-alive, ${CONNECTIONS} connections, small JSON POSTs; load: ${useWrk ? 'wrk' : 'autocannon'}; median of ${ROUNDS} × ${SECONDS}s (node ${process.version})`)
    console.table(
      targets.map((t) => {
        const m = median(runs.get(t.name))
        return {
          target: t.name,
          'req/s': Math.round(m.rps),
          'vs direct': `${(m.rps / base).toFixed(2)}×`,
          'p50 ms': Number(m.p50.toFixed(2)),
          'p99 ms': Number(m.p99.toFixed(2)),
          errors: runs.get(t.name).reduce((a, r) => a + r.errors, 0),
          'CPU µs/req': Math.round(middle(runs.get(t.name).map((r) => r.cpu))),
          'all rounds req/s': runs.get(t.name).map((r) => Math.round(r.rps)).join(' '),
        }
      }),
    )
    const rps = (name) => median(runs.get(name)).rps
    const cpu = (name) => middle(runs.get(name).map((r) => r.cpu))
    console.log(`load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} (${cpus().length} cores); CPU µs/req: the target process's own CPU time (direct: the server's)`)
    for (const [label, a, b, goal] of GOALS) {
      console.log(`${`${label}:`.padEnd(34)} ${(rps(a) / rps(b)).toFixed(2)}× req/s   ${(cpu(b) / cpu(a)).toFixed(2)}× by CPU per request   (goal ${goal})`)
    }
    if (BASELINE) {
      const vs = median(runs.get('faultline library')).rps / median(runs.get('faultline baseline')).rps
      console.log(`faultline / baseline (${BASELINE}): ${vs.toFixed(2)}× requests/s`)
    }
  } finally {
    await Promise.all(targets.map((t) => t.child.kill()))
  }
}

/** Each target alone under callgrind, the others stopped: instructions per request, and the goals in those terms. */
async function countInstructions() {
  if (!hasCallgrind()) throw new Error('BENCH_INSTRUCTIONS=1 needs valgrind (apt-get install valgrind)')
  const upstream = await start(here('./servers/upstream.mjs'))
  const forked = (script) => ({
    argv: [process.execPath, script, upstream.url],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: process.env,
    ready: async (child) => `http://127.0.0.1:${(await once(child, 'message'))[0].port}`,
  })
  const cli = (extra) => {
    const {argv, env, stdio, ready, dir} = cliCommand(upstream.url, extra)
    return {argv: [process.execPath, ...argv], env, stdio, ready, dir}
  }
  const targets = [
    ['direct', forked(here('./servers/upstream.mjs'))],
    ['faultline library', forked(here('./servers/faultline-proxy.mjs'))],
    ['faultline proxy (CLI)', cli([])],
    ['CLI, unmatched rule', cli(UNMATCHED_RULE)],
    // under callgrind a few dozen requests a second pass, so the live log prints most events; this separates its share
    ['CLI --quiet', cli(['--quiet'])],
    ['http-proxy', forked(here('./servers/http-proxy-reference.mjs'))],
  ]
  const counts = new Map()
  try {
    for (const [name, target] of targets) {
      try {
        counts.set(name, await instructionsPerRequest({...target, n: REQUESTS, connections: CONNECTIONS, body: BODY}))
      } finally {
        if (target.dir) rmSync(target.dir, {recursive: true, force: true})
      }
      console.log(`${name.padEnd(24)} ${Math.round(counts.get(name)).toLocaleString('en')} instructions per request`)
    }
  } finally {
    upstream.child.kill('SIGTERM')
  }
  console.log(`callgrind, ${REQUESTS} requests after ${REQUESTS} warm-up, ${CONNECTIONS} connections (node ${process.version}); direct: the server alone`)
  for (const [label, a, b, goal] of GOALS) {
    console.log(`${`${label}:`.padEnd(34)} ${(counts.get(b) / counts.get(a)).toFixed(2)}× by instructions per request   (goal ${goal} in req/s)`)
  }
}

const started = performance.now()
try {
  execFileSync(process.execPath, [here('../bin/run.js'), 'check', here('../fixtures/demo.yaml'), '--seed', '1', '--json'], {stdio: 'ignore'})
  console.log(`demo check (fixtures/demo.yaml, seed 1): ${((performance.now() - started) / 1000).toFixed(2)} s wall time`)
} catch (err) {
  console.log(`demo check failed with exit code ${err.status}`)
}
