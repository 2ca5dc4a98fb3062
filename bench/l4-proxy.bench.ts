/**
 * L4 proxy benchmark: prints figures and ratios, asserts nothing (speed belongs in bench/).
 *
 *   npm run bench:l4            (builds, then node --import tsx bench/l4-proxy.bench.ts)
 *
 * Every proxy runs in its own process, as users run it: `faultline serve` (the built CLI,
 * default output: its event log on stderr, here to a file) with one proxy from a config file,
 * next to a bare `socket.pipe` proxy process (the floor a Node L4 proxy can reach) and direct.
 * Three targets through faultline: no toxic, one `latency` toxic of 0 ms (added through the
 * admin API), and the bare pipe. BENCH_ROUNDS (default 5) interleaved rounds, the order
 * rotating each round; each round measures bulk throughput (BENCH_BULK_MB MiB client → server)
 * and BENCH_RTT sequential 64-byte round trips on one connection. Every proxy process is warmed
 * up first, as a long-running proxy is and as bench:http warms its targets: BENCH_WARM_MB
 * (default 32) MiB on a connection of its own before the bulk, and 2,000 round trips before the
 * counted ones; neither is timed nor counted in the CPU figures. It prints every round, the
 * medians, and the ratios the goals are stated in:
 *   serve / pipe throughput (goal ≥ 0.95), serve added p50 / pipe added p50 (goal ≤ 1.1),
 *   latency-0 / pipe throughput (goal ≥ 0.8).
 * Next to them, the CPU time (user + system, /proc/PID/stat; Linux) each proxy process spent
 * on each workload: ms per MiB and µs per round trip, and serve / pipe. CPU time moves less with
 * the machine's load than wall-clock rates do; instruction counts, which do not move at all,
 * are in bench/l4-instructions.bench.mjs.
 * Memory figures (idle connections, a slow reader) are in bench/l4-memory.bench.mjs.
 *
 * BENCH_BASELINE=DIR compares instead: this checkout's L4 proxy against the one of another
 * checkout (e.g. a git worktree of an older commit; its own bench script runs it), each in a
 * child process, BENCH_ROUNDS (default 3) rounds alternating which goes first; it prints every
 * round's bulk MiB/s and round-trip p50/p99, and this checkout's median over the baseline's.
 */
import {execSync, fork, spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import net from 'node:net'
import {fileURLToPath} from 'node:url'
import * as hdr from 'hdr-histogram-js'
import {EventLog} from '../src/events/event-log.js'
import {L4Proxy} from '../src/proxy/l4/l4-proxy.js'

const MiB = 1024 * 1024
const BULK_MB = Number(process.env.BENCH_BULK_MB ?? 256)
const RTT_COUNT = Number(process.env.BENCH_RTT ?? 10_000)
const RTT_WARMUP = 2000
const WARM_MB = Number(process.env.BENCH_WARM_MB ?? 32)
const BASELINE = process.env.BENCH_BASELINE
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (process.env.BENCH_BASELINE ? 3 : 5))

type ChildRequest = {cmd: 'rss'} | {cmd: 'stop'}
type ChildReply = {port: number} | {rss: number}

// ---------- child: the proxy process ----------
async function startProxy(
  kind: string,
  upstream: string,
): Promise<{port: number; stop: () => Promise<void>}> {
  let port: number
  let stop: () => Promise<void>
  if (kind === 'pipe') {
    const [host, p] = upstream.split(':') as [string, string]
    const server = net.createServer({noDelay: true}, (client) => {
      const up = net.connect({host, port: Number(p), noDelay: true})
      client.pipe(up).pipe(client)
      client.on('error', () => up.destroy())
      up.on('error', () => client.destroy())
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as net.AddressInfo).port
    stop = async () => void server.close()
  } else {
    const proxy = new L4Proxy({
      name: 'bench',
      listen: '127.0.0.1:0',
      upstream,
      seed: 1,
      events: new EventLog(),
    })
    await proxy.start()
    if (kind === 'l4-latency') {
      proxy.addToxic({name: 'lat', type: 'latency', stream: 'upstream', toxicity: 1, attributes: {latency: 10}})
    }
    port = Number(proxy.listen.split(':')[1])
    stop = () => proxy.stop()
  }
  return {port, stop}
}

async function child(kind: string, upstream: string): Promise<void> {
  const {port, stop} = await startProxy(kind, upstream)
  const send = (m: ChildReply) => process.send?.(m)
  process.on('message', async (m: ChildRequest) => {
    if (m.cmd === 'rss') {
      global.gc?.()
      send({rss: process.memoryUsage().rss})
    } else {
      await stop()
      process.exit(0)
    }
  })
  send({port})
}

// ---------- parent: load generator ----------
interface ProxyChild {
  port: number
  /** The proxy's process id (undefined: direct). */
  pid?: number
  rss(): Promise<number>
  stop(): Promise<void>
}

/** The proxy of `kind`, in this process or (BENCH_CHILD=1, or `script`: another checkout's bench) a child. */
async function startChild(kind: 'pipe' | 'l4' | 'l4-latency', upstream: string, script?: string): Promise<ProxyChild> {
  if (process.env.BENCH_CHILD !== '1' && !script) {
    const {port, stop} = await startProxy(kind, upstream)
    return {port, rss: async () => process.memoryUsage().rss, stop}
  }
  const cp: ChildProcess = fork(script ?? fileURLToPath(import.meta.url), ['--child', kind, upstream], {
    execArgv: [...process.execArgv, '--expose-gc'],
  })
  const next = () => new Promise<ChildReply>((resolve) => cp.once('message', (m) => resolve(m as ChildReply)))
  const {port} = (await next()) as {port: number}
  return {
    port,
    pid: cp.pid,
    rss: async () => {
      cp.send({cmd: 'rss'})
      return ((await next()) as {rss: number}).rss
    },
    stop: async () => {
      const exited = new Promise((r) => cp.once('exit', r))
      cp.send({cmd: 'stop'})
      await exited
    },
  }
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return (server.address() as net.AddressInfo).port
}

/**
 * A sink that counts bytes and answers "done" when `expect` bytes have arrived. A slow one
 * reads for one turn of the event loop per millisecond, so the proxy must hold the rest back.
 */
function sinkServer(slow = false): net.Server {
  return net.createServer({noDelay: true}, (socket) => {
    if (slow) {
      socket.pause()
      const tick = setInterval(() => {
        socket.resume()
        setImmediate(() => socket.pause())
      }, 1)
      socket.once('close', () => clearInterval(tick))
    }
    let expect = -1
    let got = 0
    socket.on('data', (chunk: Buffer) => {
      if (expect < 0) {
        if (chunk.length < 4) return void socket.write('k') // an idle-connection probe
        expect = chunk.readUInt32BE(0) * MiB
        chunk = chunk.subarray(4)
      }
      got += chunk.length
      if (got >= expect && expect >= 0) {
        socket.write('k')
        expect = Number.POSITIVE_INFINITY
      }
    })
    socket.on('error', () => {})
  })
}

async function bulk(port: number, megabytes: number): Promise<number> {
  const socket = net.connect({port, host: '127.0.0.1', noDelay: true})
  await new Promise((r) => socket.once('connect', r))
  const block = Buffer.alloc(64 * 1024, 7)
  const total = megabytes * MiB
  const head = Buffer.alloc(4)
  head.writeUInt32BE(megabytes)
  const done = new Promise((r) => socket.once('data', r))
  const t0 = performance.now()
  socket.write(head)
  let sent = 0
  while (sent < total) {
    sent += block.length
    if (!socket.write(block)) await new Promise((r) => socket.once('drain', r))
  }
  await done
  const seconds = (performance.now() - t0) / 1000
  socket.destroy()
  return megabytes / seconds
}

function echoServer(): net.Server {
  return net.createServer({noDelay: true}, (s) => {
    s.on('data', (d) => s.write(d))
    s.on('error', () => {})
  })
}

/** `count` timed round trips after RTT_WARMUP untimed ones; `warmedUp` is called between the two. */
async function roundTrips(port: number, count: number, warmedUp: () => void = () => undefined): Promise<hdr.Histogram> {
  const socket = net.connect({port, host: '127.0.0.1', noDelay: true})
  await new Promise((r) => socket.once('connect', r))
  const message = Buffer.alloc(64, 1)
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 10_000_000,
    numberOfSignificantValueDigits: 3,
  })
  const once = () =>
    new Promise<number>((resolve) => {
      let got = 0
      const t0 = process.hrtime.bigint()
      const onData = (d: Buffer) => {
        got += d.length
        if (got >= message.length) {
          socket.off('data', onData)
          resolve(Number(process.hrtime.bigint() - t0) / 1000)
        }
      }
      socket.on('data', onData)
      socket.write(message)
    })
  for (let i = 0; i < RTT_WARMUP; i++) await once()
  warmedUp()
  for (let i = 0; i < count; i++) histogram.recordValue(Math.max(1, Math.round(await once())))
  socket.destroy()
  return histogram
}

const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(8)

const CLOCK_TICKS = Number(execSync('getconf CLK_TCK').toString().trim()) || 100
/**
 * User + system CPU seconds of process `pid` so far, all its threads (NaN without one); with
 * `mainThread`, of its main thread only (the event loop: sockets, JavaScript, the GC's own
 * share; not V8's compiler and GC helper threads, nor libuv's pool).
 */
function cpuSeconds(pid: number | undefined, mainThread = false): number {
  if (pid === undefined) return Number.NaN
  const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // from field 3 (state) on
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS // utime, stime
}

/**
 * `faultline serve` as users run it: the built CLI, one proxy from a config file, the admin
 * API on a free port; its event log (stderr) goes to a file. With `latency0`, a latency toxic
 * of 0 ms is added through the admin API, as a Toxiproxy client would.
 */
async function startServe(upstream: string, latency0: boolean): Promise<ProxyChild> {
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-serve-'))
  const config = join(dir, 'proxies.json')
  writeFileSync(config, JSON.stringify([{name: 'bench', listen: '127.0.0.1:0', upstream}]))
  const out = join(dir, 'serve.out')
  const err = openSync(join(dir, 'serve.log'), 'w')
  const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1'}
  delete env.NODE_ENV
  const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
  const cp = spawn(process.execPath, [bin, 'serve', '--port', '0', '--seed', '1', '--config', config], {stdio: ['ignore', openSync(out, 'w'), err], env})
  const exited = once(cp, 'exit')
  let api: string | undefined
  while (!api) {
    api = /listening on (http:\/\/\S+)/.exec(readFileSync(out, 'utf8'))?.[1]
    if (api) break
    if (await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))])) {
      throw new Error(`faultline serve exited before listening: ${readFileSync(join(dir, 'serve.log'), 'utf8')}`)
    }
  }
  if (latency0) {
    const res = await fetch(`${api}/proxies/bench/toxics`, {
      method: 'POST',
      body: JSON.stringify({name: 'lat0', type: 'latency', stream: 'upstream', toxicity: 1, attributes: {latency: 0}}),
    })
    if (!res.ok) throw new Error(`adding the latency toxic: ${res.status} ${await res.text()}`)
  }
  const proxy = (await (await fetch(`${api}/proxies/bench`)).json()) as {listen: string}
  return {
    port: Number(proxy.listen.split(':').at(-1)),
    pid: cp.pid,
    rss: async () => Number.NaN,
    stop: async () => {
      cp.kill('SIGTERM')
      await exited
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

type Target = 'direct' | 'pipe' | 'serve' | 'serve-latency0'
interface Round {
  bulk: number
  p50: number
  p99: number
  /** CPU ms of the proxy process per MiB of bulk, and µs per round trip (after the warm-up). */
  cpuPerMiB: number
  cpuPerRtt: number
  /** The same, of its main thread only. */
  mainPerMiB: number
  mainPerRtt: number
}

async function main(): Promise<void> {
  const sink = sinkServer()
  const sinkPort = await listen(sink)
  const echo = echoServer()
  const echoPort = await listen(echo)
  const targets: Target[] = ['direct', 'pipe', 'serve', 'serve-latency0']
  const start = async (target: Target, port: number): Promise<ProxyChild> => {
    if (target === 'direct') return {port, rss: async () => Number.NaN, stop: async () => undefined}
    if (target === 'pipe') {
      // the bare pipe in its own process (this script with --child), as faultline serve is
      return startChild('pipe', `127.0.0.1:${port}`, fileURLToPath(import.meta.url))
    }
    return startServe(`127.0.0.1:${port}`, target === 'serve-latency0')
  }
  console.log(`faultline L4 proxy benchmark — node ${process.version}, loopback, every proxy in its own process`)
  console.log(`${ROUNDS} interleaved rounds; bulk ${BULK_MB} MiB client → server (MiB/s); ${RTT_COUNT} sequential 64-byte round trips (µs)`)
  console.log(`load average at start ${loadavg().map((n) => n.toFixed(2)).join(' ')} (${cpus().length} cores)`)
  const rounds = new Map<Target, Round[]>(targets.map((t) => [t, []]))
  for (let i = 0; i < ROUNDS; i++) {
    const order = targets.map((_, k) => targets[(k + i) % targets.length] as Target)
    for (const target of order) {
      const bulkProxy = await start(target, sinkPort)
      if (WARM_MB > 0) await bulk(bulkProxy.port, WARM_MB)
      const cpu0 = [cpuSeconds(bulkProxy.pid), cpuSeconds(bulkProxy.pid, true)]
      const rate = await bulk(bulkProxy.port, BULK_MB)
      const [cpuPerMiB, mainPerMiB] = [false, true].map((main, k) => ((cpuSeconds(bulkProxy.pid, main) - (cpu0[k] as number)) * 1000) / BULK_MB) as [number, number]
      await bulkProxy.stop()
      const rttProxy = await start(target, echoPort)
      let cpu1 = [0, 0]
      const h = await roundTrips(rttProxy.port, RTT_COUNT, () => (cpu1 = [cpuSeconds(rttProxy.pid), cpuSeconds(rttProxy.pid, true)]))
      const [cpuPerRtt, mainPerRtt] = [false, true].map((main, k) => ((cpuSeconds(rttProxy.pid, main) - (cpu1[k] as number)) * 1e6) / RTT_COUNT) as [number, number]
      await rttProxy.stop()
      const r = {bulk: rate, p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), cpuPerMiB, cpuPerRtt, mainPerMiB, mainPerRtt}
      rounds.get(target)?.push(r)
      console.log(`  round ${i + 1} ${target.padEnd(15)} bulk ${fmt(r.bulk)} MiB/s   rtt p50 ${fmt(r.p50)}  p99 ${fmt(r.p99)}   cpu ${fmt(r.cpuPerMiB, 2)} ms/MiB ${fmt(r.cpuPerRtt, 1)} µs/rtt`)
    }
  }
  const med = (target: Target, key: keyof Round) => {
    const values = (rounds.get(target) ?? []).map((r) => r[key]).sort((a, b) => a - b)
    return values[Math.floor(values.length / 2)] as number
  }
  console.log('\nmedians')
  for (const t of targets) console.log(`  ${t.padEnd(15)} bulk ${fmt(med(t, 'bulk'))} MiB/s   rtt p50 ${fmt(med(t, 'p50'))}  p99 ${fmt(med(t, 'p99'))}   added p50 ${fmt(med(t, 'p50') - med('direct', 'p50'))}   cpu ${fmt(med(t, 'cpuPerMiB'), 2)} ms/MiB ${fmt(med(t, 'cpuPerRtt'), 1)} µs/rtt (main thread ${fmt(med(t, 'mainPerMiB'), 2)} / ${fmt(med(t, 'mainPerRtt'), 1)})`)
  const added = (t: Target) => Math.max(1, med(t, 'p50') - med('direct', 'p50'))
  console.log(`load average at end ${loadavg().map((n) => n.toFixed(2)).join(' ')}`)
  console.log(`ratios (medians of this run)`)
  console.log(`  serve / pipe throughput          ${(med('serve', 'bulk') / med('pipe', 'bulk')).toFixed(2)}×   (goal ≥ 0.95)`)
  console.log(`  serve / pipe added p50           ${(added('serve') / added('pipe')).toFixed(2)}×   (goal ≤ 1.1)`)
  console.log(`  latency 0 ms / pipe throughput   ${(med('serve-latency0', 'bulk') / med('pipe', 'bulk')).toFixed(2)}×   (goal ≥ 0.8)`)
  console.log(`  pipe / direct throughput         ${(med('pipe', 'bulk') / med('direct', 'bulk')).toFixed(2)}×`)
  console.log(`  serve / pipe CPU per MiB         ${(med('serve', 'cpuPerMiB') / med('pipe', 'cpuPerMiB')).toFixed(2)}×   per round trip ${(med('serve', 'cpuPerRtt') / med('pipe', 'cpuPerRtt')).toFixed(2)}×`)
  console.log(`    main thread only               ${(med('serve', 'mainPerMiB') / med('pipe', 'mainPerMiB')).toFixed(2)}×   per round trip ${(med('serve', 'mainPerRtt') / med('pipe', 'mainPerRtt')).toFixed(2)}×`)
  console.log(`  latency 0 ms / pipe CPU per MiB  ${(med('serve-latency0', 'cpuPerMiB') / med('pipe', 'cpuPerMiB')).toFixed(2)}×   per round trip ${(med('serve-latency0', 'cpuPerRtt') / med('pipe', 'cpuPerRtt')).toFixed(2)}×`)
  sink.close()
  echo.close()
}

/** One round against one checkout's L4 proxy (`script` undefined: this one, in a child too). */
async function compareRound(script: string | undefined, sinkPort: number, echoPort: number): Promise<{bulk: number; p50: number; p99: number}> {
  const bulkChild = await startChild('l4', `127.0.0.1:${sinkPort}`, script ?? fileURLToPath(import.meta.url))
  const rate = Math.max(await bulk(bulkChild.port, BULK_MB), await bulk(bulkChild.port, BULK_MB))
  await bulkChild.stop()
  const rttChild = await startChild('l4', `127.0.0.1:${echoPort}`, script ?? fileURLToPath(import.meta.url))
  const h = await roundTrips(rttChild.port, RTT_COUNT)
  await rttChild.stop()
  return {bulk: rate, p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99)}
}

async function compare(baseline: string): Promise<void> {
  const sink = sinkServer()
  const sinkPort = await listen(sink)
  const echo = echoServer()
  const echoPort = await listen(echo)
  const script = `${baseline}/bench/l4-proxy.bench.ts`
  console.log(`faultline L4 proxy, this checkout vs ${baseline} — node ${process.version}, each proxy in a child process`)
  console.log(`bulk ${BULK_MB} MiB (best of 2), round trips ${RTT_COUNT} × 64 bytes (µs); ${ROUNDS} rounds alternating`)
  const rounds: Record<'new' | 'old', Array<{bulk: number; p50: number; p99: number}>> = {new: [], old: []}
  for (let i = 0; i < ROUNDS; i++) {
    const order: Array<'new' | 'old'> = i % 2 === 0 ? ['new', 'old'] : ['old', 'new']
    for (const which of order) {
      const r = await compareRound(which === 'new' ? undefined : script, sinkPort, echoPort)
      rounds[which].push(r)
      console.log(`  round ${i + 1} ${which === 'new' ? 'this    ' : 'baseline'}  bulk ${fmt(r.bulk)} MiB/s   rtt p50 ${fmt(r.p50)}  p99 ${fmt(r.p99)}`)
    }
  }
  const med = (which: 'new' | 'old', key: 'bulk' | 'p50' | 'p99') => {
    const values = rounds[which].map((r) => r[key]).sort((a, b) => a - b)
    return values[Math.floor(values.length / 2)] as number
  }
  console.log(`  median this/baseline: bulk ${(med('new', 'bulk') / med('old', 'bulk')).toFixed(2)}×   rtt p50 ${(med('new', 'p50') / med('old', 'p50')).toFixed(2)}×   p99 ${(med('new', 'p99') / med('old', 'p99')).toFixed(2)}×`)
  sink.close()
  echo.close()
}

if (process.argv[2] === '--child') await child(process.argv[3] as string, process.argv[4] as string)
else if (BASELINE) await compare(BASELINE)
else await main()
