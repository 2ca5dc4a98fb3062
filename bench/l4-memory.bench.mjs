// L4 proxy memory, as users run it: `faultline serve` (the built CLI, its own process, default
// output to a file) with two proxies from a config file. Prints the serve process's RSS
// (VmRSS of /proc/PID/status; Linux):
//   - at start, and with BENCH_IDLE idle connections open through it (default 10,000; goal
//     < 250 MB), and per connection;
//   - while BENCH_SLOW_MB MiB (default 1024) go through it to a slow reader, sampled every
//     100 ms: start, peak, end, the peak over the start, and the RSS at each quarter of the
//     bytes sent (flat = backpressure, not buffering).
// and, for reference, the RSS of the bare socket.pipe proxy process (bench/servers/l4-pipe.mjs)
// with as many idle connections. The upstream servers run in a child process of their own, so
// no process holds more sockets than its open-file limit.
//
// The proxy holds two sockets per connection, so 10,000 connections need an open-file limit
// above 20,000. Each process is started through `sh -c 'ulimit -n 65536; exec …'`; where the
// hard limit is lower and cannot be raised (raising it needs CAP_SYS_RESOURCE), the bench runs
// as many connections as the limit allows, says so, and projects to 10,000. Figures only; it
// asserts nothing.
import {execSync, spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const MiB = 1024 * 1024
const WANTED_LIMIT = 65_536
/** The open-file limit a child gets: 65,536 if the shell may raise it, else what it has. */
const fileLimit = Number(execSync(`ulimit -n ${WANTED_LIMIT} 2>/dev/null; ulimit -n`, {shell: '/bin/sh'}).toString().trim()) || 1024
/** File descriptors of a serve process besides its connections (stdio, epoll, pipes, listeners: 23 seen) with a margin. */
const BASE_FDS = 40
const IDLE = Number(process.env.BENCH_IDLE ?? Math.min(10_000, Math.floor((fileLimit - BASE_FDS) / 2)))
const PIPE = fileURLToPath(new URL('./servers/l4-pipe.mjs', import.meta.url))
/** `sh -c` prefix that gives a child the raised open-file limit. */
const raise = `ulimit -n ${fileLimit};`
const SLOW_MB = Number(process.env.BENCH_SLOW_MB ?? 1024)
const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))

// The upstreams, in a child: an idle server answering one byte with 'k', and a slow reader
// that reads for one turn of its event loop per millisecond and answers 'k' after `n` MiB.
const UPSTREAMS = `
const net = require('node:net')
const idle = net.createServer((s) => { s.on('data', () => s.write('k')); s.on('error', () => {}) })
const slow = net.createServer((s) => {
  s.pause()
  const tick = setInterval(() => { s.resume(); setImmediate(() => s.pause()) }, 1)
  s.once('close', () => clearInterval(tick))
  let got = 0
  s.on('data', (d) => { got += d.length; if (got >= ${SLOW_MB} * 1024 * 1024) s.write('k') })
  s.on('error', () => {})
})
idle.listen(0, '127.0.0.1', () => slow.listen(0, '127.0.0.1', () => console.log(idle.address().port + ' ' + slow.address().port)))
`

/** Open IDLE connections through the bare pipe proxy process (which prints its port); its RSS before and with them. */
async function idleThroughPipe(upstream) {
  const proc = spawn('/bin/sh', ['-c', `${raise} exec "${process.execPath}" "$0" "$1"`, PIPE, upstream], {stdio: ['ignore', 'pipe', 'inherit']})
  const [line] = await once(proc.stdout, 'data')
  const start = rssMb(proc.pid)
  const sockets = await openIdle(Number(String(line).trim()))
  const withIdle = rssMb(proc.pid)
  for (const s of sockets) s.destroy()
  proc.kill()
  await once(proc, 'exit')
  return {start, withIdle, each: ((withIdle - start) * 1024) / IDLE}
}

/** IDLE connections to `port`, 100 at a time; one round trip on the last proves every one before it was dialled upstream. */
async function openIdle(port) {
  const sockets = []
  for (let i = 0; i < IDLE; i += 100) {
    const batch = []
    for (let k = i; k < Math.min(IDLE, i + 100); k++) {
      const s = net.connect({port, host: '127.0.0.1'})
      s.on('error', () => {})
      sockets.push(s)
      batch.push(once(s, 'connect'))
    }
    await Promise.all(batch)
  }
  const last = sockets[sockets.length - 1]
  last.write('x')
  await once(last, 'data')
  return sockets
}

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-mem-'))
  const upstreams = spawn('/bin/sh', ['-c', `${raise} exec "${process.execPath}" -e "$0"`, UPSTREAMS], {stdio: ['ignore', 'pipe', 'inherit']})
  const [ports] = await once(upstreams.stdout, 'data')
  const [idlePort, slowPort] = String(ports).trim().split(' ')
  const config = join(dir, 'proxies.json')
  writeFileSync(config, JSON.stringify([
    {name: 'idle', listen: '127.0.0.1:0', upstream: `127.0.0.1:${idlePort}`},
    {name: 'slow', listen: '127.0.0.1:0', upstream: `127.0.0.1:${slowPort}`},
  ]))
  const env = {...process.env, NO_COLOR: '1'}
  delete env.NODE_ENV
  const out = join(dir, 'serve.out')
  const serve = spawn('/bin/sh', ['-c', `${raise} exec "${process.execPath}" "${BIN}" serve --port 0 --seed 1 --config "${config}"`], {
    stdio: ['ignore', openSync(out, 'w'), openSync(join(dir, 'serve.log'), 'w')],
    env,
  })
  const sockets = []
  try {
    let api
    while (!(api = /listening on (http:\/\/\S+)/.exec(readFileSync(out, 'utf8'))?.[1])) await new Promise((r) => setTimeout(r, 50))
    const port = async (name) => Number((await (await fetch(`${api}/proxies/${name}`)).json()).listen.split(':').at(-1))
    const [idleProxy, slowProxy] = [await port('idle'), await port('slow')]
    const limitNote =
      fileLimit >= WANTED_LIMIT
        ? `open-file limit raised to ${fileLimit}`
        : `open-file limit ${fileLimit}: raising it to ${WANTED_LIMIT} was refused (the hard limit; raising it needs CAP_SYS_RESOURCE), so at most ${Math.floor((fileLimit - BASE_FDS) / 2)} connections fit in one proxy process`
    console.log(`faultline serve memory — node ${process.version}; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} (${cpus().length} cores); ${limitNote}`)
    const pipe = await idleThroughPipe(`127.0.0.1:${idlePort}`)
    console.log(`  bare socket.pipe process: RSS at start ${pipe.start.toFixed(1)} MiB; with ${IDLE} idle connections ${pipe.withIdle.toFixed(1)} MiB (${pipe.each.toFixed(1)} KiB each)`)
    const start = rssMb(serve.pid)
    sockets.push(...(await openIdle(idleProxy)))
    const withIdle = rssMb(serve.pid)
    const each = ((withIdle - start) * 1024) / IDLE
    const projection = IDLE < 10_000 ? `; projected to 10000: ${(start + (each * 10_000) / 1024).toFixed(1)} MiB` : ''
    console.log(`  faultline serve: RSS at start ${start.toFixed(1)} MiB; with ${IDLE} idle connections ${withIdle.toFixed(1)} MiB = ${((withIdle * MiB) / 1e6).toFixed(0)} MB (${each.toFixed(1)} KiB each, ${(each / pipe.each).toFixed(2)}× the pipe's)${projection} (goal < 250 MB)`)
    for (const s of sockets) s.destroy()
    sockets.length = 0

    const before = rssMb(serve.pid)
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(serve.pid))), 100)
    const client = net.connect({port: slowProxy, host: '127.0.0.1'})
    await once(client, 'connect')
    const block = Buffer.alloc(64 * 1024, 7)
    const done = once(client, 'data')
    const t0 = performance.now()
    const quarters = []
    for (let sent = 0; sent < SLOW_MB * MiB; sent += block.length) {
      if (sent % ((SLOW_MB * MiB) / 4) === 0 && sent > 0) quarters.push(rssMb(serve.pid))
      if (!client.write(block)) await once(client, 'drain')
    }
    quarters.push(rssMb(serve.pid))
    await done
    clearInterval(sampler)
    const seconds = (performance.now() - t0) / 1000
    client.destroy()
    const after = rssMb(serve.pid)
    console.log(`  ${SLOW_MB} MiB to a slow reader (${(SLOW_MB / seconds).toFixed(0)} MiB/s): RSS before ${before.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB (+${(peak - before).toFixed(1)} MiB), after ${after.toFixed(1)} MiB; at each quarter of the bytes sent ${quarters.map((q) => q.toFixed(1)).join(' / ')} MiB`)
  } finally {
    for (const s of sockets) s.destroy()
    serve.kill('SIGTERM')
    upstreams.kill()
    await once(serve, 'exit')
    rmSync(dir, {recursive: true, force: true})
  }
}

await main()
