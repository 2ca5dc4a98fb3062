// Prints, in one run on this machine: requests/s and p50/p99 latency for 20 keep-alive
// connections of small JSON POSTs — direct; through faultline's HTTP proxy library (no
// faults, its own process, no log); through `faultline proxy` as users run it (a separate CLI
// process, default live log, its output going to a file), with no fault rule and with one
// rule that never matches; and through http-proxy (npm) — then the ratios the performance
// goals are stated in, and the wall time of the demo check. Not a test: figures only.
//
// Load comes from wrk when it is installed (a C load generator that leaves the CPU to the
// servers; `apt-get install wrk`), else from autocannon. Each target is warmed up, then
// measured in ROUNDS interleaved rounds; the median round is reported.
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

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const BASELINE = process.env.BENCH_BASELINE
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = 20
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
  return {child, url: `http://127.0.0.1:${message.port}`}
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
    return {rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx}
  }
}

/**
 * `faultline proxy` as users run it: the built CLI in its own process, default output (the
 * live log) to a file. Its address is read from the log's start line.
 */
async function startCli(upstreamUrl, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-cli-'))
  const out = join(dir, 'proxy.log')
  const fd = openSync(out, 'w')
  const env = {...process.env, NO_COLOR: '1'}
  delete env.NODE_ENV
  const child = spawn(process.execPath, [here('../bin/run.js'), 'proxy', '--listen', '127.0.0.1:0', '--upstream', upstreamUrl, '--seed', '1', ...extra], {stdio: ['ignore', fd, 'inherit'], env})
  const exited = once(child, 'exit')
  for (;;) {
    const match = /faultline proxy (http:\/\/127\.0\.0\.1:\d+)/.exec(readFileSync(out, 'utf8'))
    if (match) return {child: {kill: () => {child.kill('SIGTERM'); return exited.then(() => rmSync(dir, {recursive: true, force: true}))}}, url: match[1]}
    const gone = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))])
    if (gone) throw new Error(`faultline proxy exited before listening; see ${out}`)
  }
}

const median = (runs) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]

const useWrk = hasWrk()
const load = useWrk ? wrkLoader() : autocannonLoader()
const upstream = await start(here('./servers/upstream.mjs'))
const targets = [
  {name: 'direct', ...upstream},
  {name: 'faultline library', ...(await start(here('./servers/faultline-proxy.mjs'), [upstream.url]))},
  {name: 'faultline proxy (CLI)', ...(await startCli(upstream.url))},
  // a rule in force that never matches: the rule engine's cost on every request
  {name: 'CLI, unmatched rule', ...(await startCli(upstream.url, ['--fault', 'drop-reply', '--path', '/never/**']))},
  {name: 'http-proxy', ...(await start(here('./servers/http-proxy-reference.mjs'), [upstream.url]))},
]
if (BASELINE) targets.push({name: 'faultline baseline', ...(await start(join(BASELINE, 'bench/servers/faultline-proxy.mjs'), [upstream.url]))})
try {
  for (const t of targets) await load(t.url, 2) // warm-up: JIT, connections
  const runs = new Map(targets.map((t) => [t.name, []]))
  for (let round = 0; round < ROUNDS; round++) for (const t of targets) runs.get(t.name).push(await load(t.url, SECONDS))
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
        'all rounds req/s': runs.get(t.name).map((r) => Math.round(r.rps)).join(' '),
      }
    }),
  )
  const rps = (name) => median(runs.get(name)).rps
  const ratio = (a, b) => `${(rps(a) / rps(b)).toFixed(2)}×`
  console.log(`load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} (${cpus().length} cores)`)
  console.log(`library / http-proxy:              ${ratio('faultline library', 'http-proxy')}   (goal ≥ 2.5×)`)
  console.log(`CLI / http-proxy:                  ${ratio('faultline proxy (CLI)', 'http-proxy')}   (goal ≥ 2.5×)`)
  console.log(`library / direct:                  ${ratio('faultline library', 'direct')}   (goal ≥ 0.4×)`)
  console.log(`CLI / direct:                      ${ratio('faultline proxy (CLI)', 'direct')}   (goal ≥ 0.4×)`)
  console.log(`CLI / library:                     ${ratio('faultline proxy (CLI)', 'faultline library')}   (goal ≥ 0.9×)`)
  console.log(`unmatched rule / no rule (CLI):    ${ratio('CLI, unmatched rule', 'faultline proxy (CLI)')}   (goal ≥ 0.9×)`)
  if (BASELINE) {
    const vs = median(runs.get('faultline library')).rps / median(runs.get('faultline baseline')).rps
    console.log(`faultline / baseline (${BASELINE}): ${vs.toFixed(2)}× requests/s`)
  }
} finally {
  await Promise.all(targets.map((t) => t.child.kill()))
}

const started = performance.now()
try {
  execFileSync(process.execPath, [here('../bin/run.js'), 'check', here('../fixtures/demo.yaml'), '--seed', '1', '--json'], {stdio: 'ignore'})
  console.log(`demo check (fixtures/demo.yaml, seed 1): ${((performance.now() - started) / 1000).toFixed(2)} s wall time`)
} catch (err) {
  console.log(`demo check failed with exit code ${err.status}`)
}
