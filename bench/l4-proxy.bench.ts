/**
 * L4 proxy benchmark: prints figures, asserts nothing (speed belongs in bench/, not in tests).
 *
 *   npm run bench:l4            (node --import tsx bench/l4-proxy.bench.ts)
 *
 * The proxy under test runs on the same event loop as the load generator and the target
 * servers (the set-up the stack-notes figures are comparable with); BENCH_CHILD=1 runs it in a
 * child process instead. One run prints:
 *   - bulk throughput direct / through a bare socket.pipe proxy / through faultline's L4
 *     proxy with no toxics, and the ratios;
 *   - small request/response round trips p50/p99 direct vs proxied, and the added µs;
 *   - the proxy process's RSS before and after a 1 GB transfer and with 1,000 idle connections;
 *   - its peak RSS while 200 MiB go through a 10 ms latency toxic to a slow reader.
 * Sizes can be changed with BENCH_BULK_MB, BENCH_BIG_MB, BENCH_RTT, BENCH_IDLE, BENCH_SLOW_MB;
 * with BENCH_CHILD=1 the RSS figures are the child's alone.
 *
 * BENCH_BASELINE=DIR compares instead: this checkout's L4 proxy against the one of another
 * checkout (e.g. a git worktree of an older commit; its own bench script runs it), each in a
 * child process, BENCH_ROUNDS (default 3) rounds alternating which goes first; it prints every
 * round's bulk MiB/s and round-trip p50/p99, and this checkout's median over the baseline's.
 */
import {fork, type ChildProcess} from 'node:child_process'
import net from 'node:net'
import {fileURLToPath} from 'node:url'
import * as hdr from 'hdr-histogram-js'
import {EventLog} from '../src/events/event-log.js'
import {L4Proxy} from '../src/proxy/l4/l4-proxy.js'

const MiB = 1024 * 1024
const BULK_MB = Number(process.env.BENCH_BULK_MB ?? 512)
const BIG_MB = Number(process.env.BENCH_BIG_MB ?? 1024)
const RTT_COUNT = Number(process.env.BENCH_RTT ?? 20_000)
const IDLE = Number(process.env.BENCH_IDLE ?? 1000)
const SLOW_MB = Number(process.env.BENCH_SLOW_MB ?? 200)
const BASELINE = process.env.BENCH_BASELINE
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

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

async function roundTrips(port: number, count: number): Promise<hdr.Histogram> {
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
  for (let i = 0; i < 2000; i++) await once() // warm-up
  for (let i = 0; i < count; i++) histogram.recordValue(Math.max(1, Math.round(await once())))
  socket.destroy()
  return histogram
}

async function idleConnections(port: number, count: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = []
  for (let i = 0; i < count; i++) {
    const s = net.connect({port, host: '127.0.0.1'})
    s.on('error', () => {})
    await new Promise((r) => s.once('connect', r))
    sockets.push(s)
  }
  // one round trip on the last one proves the proxy has dialled upstream for all before it
  const last = sockets[sockets.length - 1] as net.Socket
  await new Promise((r) => {
    last.once('data', r)
    last.write('x')
  })
  return sockets
}

const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(8)
const mb = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`

async function main(): Promise<void> {
  const sink = sinkServer()
  const sinkPort = await listen(sink)
  const echo = echoServer()
  const echoPort = await listen(echo)

  const where =
    process.env.BENCH_CHILD !== '1' ? 'in the same process as client and servers' : 'in a child process'
  console.log(`faultline L4 proxy benchmark — node ${process.version}, loopback, proxy ${where}`)
  console.log(`\nbulk ${BULK_MB} MiB, client → server, no toxics (best of 2)`)
  const best = async (port: number) => Math.max(await bulk(port, BULK_MB), await bulk(port, BULK_MB))
  const direct = await best(sinkPort)
  const pipeChild = await startChild('pipe', `127.0.0.1:${sinkPort}`)
  const viaPipe = await best(pipeChild.port)
  await pipeChild.stop()
  const l4Child = await startChild('l4', `127.0.0.1:${sinkPort}`)
  const viaL4 = await best(l4Child.port)
  await l4Child.stop()
  console.log(`  direct                 ${fmt(direct)} MiB/s`)
  console.log(`  bare socket.pipe proxy ${fmt(viaPipe)} MiB/s   ratio ${(viaPipe / direct).toFixed(2)}`)
  console.log(
    `  faultline L4 proxy     ${fmt(viaL4)} MiB/s   ratio ${(viaL4 / direct).toFixed(2)}   (target ≥ 0.45)`,
  )

  console.log(`\nround trip, 64-byte request / 64-byte reply, ${RTT_COUNT} sequential on one connection (µs)`)
  const rttDirect = await roundTrips(echoPort, RTT_COUNT)
  const rttPipeChild = await startChild('pipe', `127.0.0.1:${echoPort}`)
  const rttPipe = await roundTrips(rttPipeChild.port, RTT_COUNT)
  await rttPipeChild.stop()
  const rttChild = await startChild('l4', `127.0.0.1:${echoPort}`)
  const rttProxied = await roundTrips(rttChild.port, RTT_COUNT)
  await rttChild.stop()
  const p = (h: hdr.Histogram, q: number) => h.getValueAtPercentile(q)
  console.log(`  direct    p50 ${fmt(p(rttDirect, 50))}  p99 ${fmt(p(rttDirect, 99))}`)
  console.log(
    `  bare pipe p50 ${fmt(p(rttPipe, 50))}  p99 ${fmt(p(rttPipe, 99))}   added p50 ${fmt(p(rttPipe, 50) - p(rttDirect, 50))}`,
  )
  console.log(`  proxied   p50 ${fmt(p(rttProxied, 50))}  p99 ${fmt(p(rttProxied, 99))}`)
  console.log(
    `  added     p50 ${fmt(p(rttProxied, 50) - p(rttDirect, 50))}  p99 ${fmt(p(rttProxied, 99) - p(rttDirect, 99))}   (target p50 ≤ 50)`,
  )

  console.log(`\nproxy process RSS`)
  const memChild = await startChild('l4', `127.0.0.1:${sinkPort}`)
  const before = await memChild.rss()
  const idle = await idleConnections(memChild.port, IDLE)
  const withIdle = await memChild.rss()
  for (const s of idle) s.destroy()
  const bigRate = await bulk(memChild.port, BIG_MB)
  const after = await memChild.rss()
  console.log(`  at start                    ${mb(before)}`)
  console.log(
    `  with ${IDLE} idle connections  ${mb(withIdle)}  (${((withIdle - before) / IDLE / 1024).toFixed(1)} KiB each)`,
  )
  console.log(`  after a ${BIG_MB} MiB transfer (${bigRate.toFixed(0)} MiB/s)  ${mb(after)}`)
  await memChild.stop()

  const slowSink = sinkServer(true)
  const slowPort = await listen(slowSink)
  const slowChild = await startChild('l4-latency', `127.0.0.1:${slowPort}`)
  const slowBefore = await slowChild.rss()
  let peak = slowBefore
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await slowChild.rss())
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  const slowRate = await bulk(slowChild.port, SLOW_MB)
  sampling = false
  await sampler
  console.log(`  ${SLOW_MB} MiB through a 10 ms latency toxic to a slow reader (${slowRate.toFixed(0)} MiB/s)`)
  console.log(`    before ${mb(slowBefore)}   peak ${mb(peak)}   (+${mb(peak - slowBefore)})`)
  await slowChild.stop()
  slowSink.close()
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
