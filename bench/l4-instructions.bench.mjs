// L4 proxy cost in CPU instructions, a figure that does not move with the machine's load:
//
//   npm run bench:l4-instructions      (builds, then node bench/l4-instructions.bench.mjs)
//
// Runs each proxy process under `valgrind --tool=callgrind` (Linux; valgrind must be
// installed): the bare socket.pipe proxy (bench/servers/l4-pipe.mjs), `faultline serve
// --config` with no toxic, and `faultline serve` with one `latency` toxic of 0 ms added through
// the admin API. Start-up and a warm-up (BENCH_WARM_MB MiB, default 256, and BENCH_WARM_RTT,
// default 20,000, round trips: under valgrind the small pipe process needs that long before V8
// has optimised Node's stream code; after 64 MiB and 3,000 it still ran part of it in the
// baseline tier and counted 30-40 % more) run uninstrumented; then instrumentation is switched on
// (`callgrind_control -i on`) for a fixed workload on fresh connections: BENCH_BULK_MB MiB
// (default 32) client → server, a dump, BENCH_RTT (default 2,000) sequential 64-byte round
// trips, a dump. It prints instructions per MiB and per round trip of every process, and the
// ratios to the pipe. BENCH_ROUNDS (default 1) repeats the whole. Figures only; it asserts
// nothing.
//
// What is counted: the proxy's main thread while it handles socket events (callgrind
// `--toggle-collect=uv__stream_io`: libuv's handler of a readable or writable stream, and so
// every read, the JavaScript it runs, the writes and the garbage collections those trigger), in
// user space. Not counted: the kernel's socket work (the same for every proxy), and V8's
// compiler threads, whose work lands in whichever window it happens to finish in and made whole-
// process counts swing by ±50 %. What is left per round trip repeats within a few per cent
// whatever the load; per MiB it moves with how many bytes each read returns (Node copies a read
// that does not fill its buffer), which depends on timing: compare ranges over BENCH_ROUNDS.
import {execFileSync, spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const MiB = 1024 * 1024
const BULK_MB = Number(process.env.BENCH_BULK_MB ?? 32)
const WARM_MB = Number(process.env.BENCH_WARM_MB ?? 256)
const WARM_RTT = Number(process.env.BENCH_WARM_RTT ?? 20_000)
const RTT = Number(process.env.BENCH_RTT ?? 2000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1)
const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const PIPE = fileURLToPath(new URL('./servers/l4-pipe.mjs', import.meta.url))

try {
  execFileSync('valgrind', ['--version'], {stdio: 'ignore'})
  execFileSync('callgrind_control', ['--version'], {stdio: 'ignore'})
} catch {
  console.error('bench:l4-instructions needs valgrind (with callgrind_control) on the PATH, e.g. apt-get install valgrind')
  process.exit(3)
}

/**
 * The upstream of every proxy: a connection whose first byte is 'B' is bulk (a uint32 of MiB
 * follows; it answers 'k' once they have all arrived), any other is echoed.
 */
function upstreamServer() {
  return net.createServer({noDelay: true}, (s) => {
    s.on('error', () => {})
    let mode
    let expect = 0
    let got = 0
    s.on('data', (chunk) => {
      if (mode === undefined) {
        mode = chunk[0] === 0x42 ? 'bulk' : 'echo'
        if (mode === 'bulk') {
          expect = chunk.readUInt32BE(1) * MiB
          chunk = chunk.subarray(5)
        }
      }
      if (mode === 'echo') return void s.write(chunk)
      got += chunk.length
      if (got >= expect) s.write('k')
    })
  })
}

async function connect(port) {
  const socket = net.connect({port, host: '127.0.0.1', noDelay: true})
  await once(socket, 'connect')
  return socket
}

async function bulk(port, megabytes) {
  const socket = await connect(port)
  const head = Buffer.alloc(5)
  head[0] = 0x42
  head.writeUInt32BE(megabytes, 1)
  const done = once(socket, 'data')
  socket.write(head)
  const block = Buffer.alloc(64 * 1024, 7)
  for (let sent = 0; sent < megabytes * MiB; sent += block.length) {
    if (!socket.write(block)) await once(socket, 'drain')
  }
  await done
  socket.destroy()
}

async function roundTrips(port, count) {
  const socket = await connect(port)
  const message = Buffer.alloc(64, 1)
  for (let i = 0; i < count; i++) {
    socket.write(message)
    for (let got = 0; got < message.length; ) got += (await once(socket, 'data'))[0].length
  }
  socket.destroy()
}

/** Wait for `pattern` in the file at `path` (written by the process), or for the process to exit. */
async function waitInFile(path, pattern, proc) {
  let exited = false
  proc.once('exit', () => (exited = true))
  for (;;) {
    const m = pattern.exec(readFileSync(path, 'utf8'))
    if (m) return m[1]
    if (exited) throw new Error(`the proxy process exited before it was ready: ${readFileSync(path, 'utf8')}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** One proxy process under callgrind, instrumentation off; resolves with its pid and port. */
async function startUnderCallgrind(target, upstreamPort, dir) {
  const upstream = `127.0.0.1:${upstreamPort}`
  const out = join(dir, 'stdout')
  const valgrind = [
    '--tool=callgrind',
    '--instr-atstart=no',
    '--collect-atstart=no',
    '--toggle-collect=uv__stream_io',
    `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
    process.execPath,
  ]
  const env = {...process.env, NO_COLOR: '1'}
  delete env.NODE_ENV
  let args
  if (target === 'pipe') args = [...valgrind, PIPE, upstream]
  else {
    const config = join(dir, 'proxies.json')
    writeFileSync(config, JSON.stringify([{name: 'bench', listen: '127.0.0.1:0', upstream}]))
    args = [...valgrind, BIN, 'serve', '--port', '0', '--seed', '1', '--config', config]
  }
  // serve's event log (stderr) goes to a file with valgrind's own messages, as users redirect it
  const proc = spawn('valgrind', args, {stdio: ['ignore', openSync(out, 'w'), openSync(join(dir, 'stderr'), 'w')], env})
  if (target === 'pipe') return {proc, port: Number(await waitInFile(out, /^(\d+)$/m, proc))}
  const api = await waitInFile(out, /listening on (http:\/\/\S+)/, proc)
  if (target === 'serve-latency0') {
    const res = await fetch(`${api}/proxies/bench/toxics`, {
      method: 'POST',
      body: JSON.stringify({name: 'lat0', type: 'latency', stream: 'upstream', toxicity: 1, attributes: {latency: 0}}),
    })
    if (!res.ok) throw new Error(`adding the latency toxic: ${res.status} ${await res.text()}`)
  }
  const proxy = await (await fetch(`${api}/proxies/bench`)).json()
  return {proc, port: Number(proxy.listen.split(':').at(-1))}
}

const control = (pid, ...args) => execFileSync('callgrind_control', [...args, String(pid)], {stdio: 'ignore'})

/** Instructions counted in each dump file of `dir` (callgrind.out.1, .2, …), in order. */
function dumps(dir) {
  return readdirSync(dir)
    .filter((f) => /^callgrind\.out\.\d+$/.test(f))
    .sort((a, b) => Number(a.split('.').at(-1)) - Number(b.split('.').at(-1)))
    .map((f) => Number(/^(?:totals|summary): (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'))?.[1] ?? NaN))
}

async function measure(target, upstreamPort) {
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-cg-'))
  const {proc, port} = await startUnderCallgrind(target, upstreamPort, dir)
  const exited = once(proc, 'exit')
  try {
    await bulk(port, WARM_MB)
    await roundTrips(port, WARM_RTT)
    control(proc.pid, '-i', 'on')
    await bulk(port, BULK_MB)
    control(proc.pid, '-d', 'bulk')
    await roundTrips(port, RTT)
    control(proc.pid, '-d', 'rtt')
    control(proc.pid, '-i', 'off')
    const [bulkIr, rttIr] = dumps(dir)
    return {perMiB: bulkIr / BULK_MB, perRtt: rttIr / RTT}
  } finally {
    proc.kill('SIGTERM')
    await exited
    rmSync(dir, {recursive: true, force: true})
  }
}

const upstream = upstreamServer()
await new Promise((r) => upstream.listen(0, '127.0.0.1', r))
const upstreamPort = upstream.address().port
const targets = ['pipe', 'serve', 'serve-latency0']
const fmt = (n) => Math.round(n).toLocaleString('en').padStart(13)
console.log(`faultline L4 proxy instruction count — node ${process.version}, callgrind, every proxy in its own process`)
console.log(`${BULK_MB} MiB bulk client → server; ${RTT} sequential 64-byte round trips; after a warm-up of ${WARM_MB} MiB and ${WARM_RTT} round trips`)
console.log(`load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} (${cpus().length} cores; the counts do not depend on it); main thread, socket events only`)
const results = new Map(targets.map((t) => [t, []]))
for (let round = 1; round <= ROUNDS; round++) {
  for (const target of targets) {
    const r = await measure(target, upstreamPort)
    results.get(target).push(r)
    console.log(`  round ${round} ${target.padEnd(15)} instructions per MiB ${fmt(r.perMiB)}   per round trip ${fmt(r.perRtt)}`)
  }
}
const med = (target, key) => {
  const values = results.get(target).map((r) => r[key]).sort((a, b) => a - b)
  return values[Math.floor(values.length / 2)]
}
console.log('ratios (instructions, medians)')
console.log(`  serve / pipe per MiB (read sizes vary) ${(med('serve', 'perMiB') / med('pipe', 'perMiB')).toFixed(3)}×   (throughput goal serve / pipe ≥ 0.95 ⇔ this ≤ 1.05 when CPU-bound)`)
console.log(`  serve / pipe per round trip      ${(med('serve', 'perRtt') / med('pipe', 'perRtt')).toFixed(3)}×`)
console.log(`  latency 0 ms / pipe per MiB      ${(med('serve-latency0', 'perMiB') / med('pipe', 'perMiB')).toFixed(3)}×   (throughput goal ≥ 0.8 ⇔ this ≤ 1.25)`)
console.log(`  latency 0 ms / pipe per round trip ${(med('serve-latency0', 'perRtt') / med('pipe', 'perRtt')).toFixed(3)}×`)
upstream.close()
