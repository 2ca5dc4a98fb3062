// `faultline check` at scale: a generated scenario (one endpoint of the fixture counter, the
// `duplicate` profile, concurrency BENCH_CONCURRENCY, default 8) run with 1k, 5k and 10k trials
// (BENCH_TRIALS=1000,5000,10000), each with --events streaming to a file. It samples the check
// process's RSS (VmRSS of /proc/PID/status, every 100 ms) and, through heap-probe.mjs preloaded
// with --expose-gc, its heap after a forced full GC every 2 s; it prints per size: wall time,
// trials/s, peak RSS, peak live heap (and Buffers), the --events file size and the most live
// handles (sockets, timers) by kind; then how wall time scales
// (seconds per trial at each size over the smallest's: 1.00 = linear) and the slopes in KB per
// trial (the largest run's peak minus the smallest's, over the trials between): peak RSS counts
// garbage not yet collected, the live heap only what the run holds. Then the start-up of
// `faultline --version` (median of 20 spawns) beside `node -e 0` and importing @oclif/core
// alone, in the same run. Figures only; it asserts nothing. Linux (reads /proc).
import {execFileSync, spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const ROOT = here('..')
const BIN = here('../bin/run.js')
const SIZES = (process.env.BENCH_TRIALS ?? '1000,5000,10000').split(',').map(Number)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const SPAWNS = Number(process.env.BENCH_SPAWNS ?? 20)
const env = {...process.env, NO_COLOR: '1'}
delete env.NODE_ENV

function scenario(trials) {
  return `version: 1
target:
  protocol: http
  url: http://127.0.0.1:{{port}}
  server:
    command: node ${join(ROOT, 'fixtures/servers/counter.mjs')} --port {{port}}
    ready: { http: /health }
client:
  timeout: 2s
  attempts: 2
concurrency: ${CONCURRENCY}
endpoints:
  - name: increment
    request:
      method: POST
      path: /counters/{{key}}/increment
      body: { by: 1 }
    effect:
      request: { method: GET, path: /counters/{{key}} }
      select: $.value
    expect: at-least-once
profiles: [duplicate]
trials: ${trials}
`
}

function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN)
  } catch {
    return NaN // exited
  }
}

async function runCheck(trials) {
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-check-'))
  try {
    const file = join(dir, 'scale.yaml')
    const events = join(dir, 'events.jsonl')
    const heapFile = join(dir, 'heap.json')
    writeFileSync(file, scenario(trials))
    const probe = new URL('./heap-probe.mjs', import.meta.url).href
    const childEnv = {...env, BENCH_HEAP_FILE: heapFile, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --expose-gc --import=${probe}`.trim()}
    const t0 = performance.now()
    const child = spawn(process.execPath, [BIN, 'check', file, '--seed', '1', '--json', '--no-shrink', '--events', events], {cwd: dir, env: childEnv, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    let peak = 0
    const sampler = setInterval(() => {
      const kb = rssKb(child.pid)
      if (kb > peak) peak = kb
    }, 100)
    const [code] = await once(child, 'exit')
    clearInterval(sampler)
    const seconds = (performance.now() - t0) / 1000
    if (code !== 0 && code !== 1) throw new Error(`check exited ${code}: ${stderr.slice(-500)}`)
    const probed = JSON.parse(readFileSync(heapFile, 'utf8'))
    return {trials, seconds, rate: trials / seconds, peakKb: peak, heapKb: probed.heapUsed / 1024, externalKb: probed.external / 1024, handles: probed.byKind, eventsMb: statSync(events).size / 1024 / 1024}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

function medianSpawn(args) {
  const times = []
  for (let i = 0; i < SPAWNS; i++) {
    const t0 = performance.now()
    execFileSync(process.execPath, args, {cwd: ROOT, env, stdio: 'ignore'})
    times.push(performance.now() - t0)
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]
}

const load = () => loadavg().map((n) => n.toFixed(2)).join(' ')
console.log(`faultline check at scale — node ${process.version}; counter fixture, duplicate profile, concurrency ${CONCURRENCY}; load average ${load()} (${cpus().length} cores)`)
const runs = []
for (const trials of SIZES) {
  const r = await runCheck(trials)
  runs.push(r)
  console.log(`  ${String(trials).padStart(6)} trials  ${r.seconds.toFixed(1).padStart(6)} s  ${r.rate.toFixed(0).padStart(5)} trials/s  peak RSS ${(r.peakKb / 1024).toFixed(1)} MiB  live heap ${(r.heapKb / 1024).toFixed(1)} MiB (external ${(r.externalKb / 1024).toFixed(1)})  --events ${r.eventsMb.toFixed(1)} MiB`)
  console.log(`          most live handles at once: ${Object.entries(r.handles).map(([kind, n]) => `${kind} ${n}`).join(', ')}`)
}
const first = runs[0]
const last = runs[runs.length - 1]
console.log(`scaling (seconds per trial over the ${first.trials}-trial run's; 1.00 = linear): ${runs.map((r) => `${r.trials}: ${(r.seconds / r.trials / (first.seconds / first.trials)).toFixed(2)}`).join('  ')}`)
if (runs.length > 1) {
  const slope = (kb) => ((kb(last) - kb(first)) / (last.trials - first.trials)).toFixed(3)
  console.log(`slope ${first.trials} → ${last.trials} trials: peak RSS ${slope((r) => r.peakKb)} KB/trial; live heap (after a forced GC) ${slope((r) => r.heapKb)} KB/trial`)
}
const oclif = join(ROOT, 'node_modules/@oclif/core/lib/index.js')
const version = medianSpawn([BIN, '--version'])
const bare = medianSpawn(['-e', '0'])
const core = medianSpawn(['-e', `require(${JSON.stringify(oclif)})`])
console.log(`start-up, median of ${SPAWNS} spawns: faultline --version ${version.toFixed(0)} ms (goal < 300); node -e 0 ${bare.toFixed(0)} ms; loading @oclif/core alone ${core.toFixed(0)} ms; load average ${load()}`)
