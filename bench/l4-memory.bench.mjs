// L4 proxy memory, as users run it: `faultline serve` (the built CLI, its own process, default
// output to a file) with two proxies from a config file. Prints the serve process's RSS
// (VmRSS of /proc/PID/status; Linux):
//   - at start, and with BENCH_IDLE idle connections open through it (default 10,000, fewer
//     when the open-file limit cannot hold two sockets per connection in the proxy), per
//     connection, and projected to 10,000 (goal < 250 MB);
//   - while BENCH_SLOW_MB MiB (default 1024) go through it to a slow reader, sampled every
//     100 ms: start, peak, end, the peak over the start, and the RSS at each quarter of the
//     bytes sent (flat = backpressure, not buffering).
// and, for reference, the RSS of a bare socket.pipe proxy process with as many idle connections.
// The upstream servers run in a child process of their own, so no process holds more sockets
// than the limit. Figures only; it asserts nothing.
import {execSync, spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const MiB = 1024 * 1024
const hardLimit = Number(execSync('ulimit -Hn', {shell: '/bin/sh'}).toString().trim()) || 1024
const IDLE = Number(process.env.BENCH_IDLE ?? Math.min(10_000, Math.floor((hardLimit - 200) / 2)))
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

/** Open IDLE connections through a process running `script` (which prints its port); its RSS before and with them. */
async function idleThrough(script) {
  const proc = spawn('/bin/sh', ['-c', `ulimit -n ${hardLimit}; exec "${process.execPath}" -e "$0"`, script], {stdio: ['ignore', 'pipe', 'inherit']})
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
  const upstreams = spawn('/bin/sh', ['-c', `ulimit -n ${hardLimit}; exec "${process.execPath}" -e "$0"`, UPSTREAMS], {stdio: ['ignore', 'pipe', 'inherit']})
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
  const serve = spawn('/bin/sh', ['-c', `ulimit -n ${hardLimit}; exec "${process.execPath}" "${BIN}" serve --port 0 --seed 1 --config "${config}"`], {
    stdio: ['ignore', openSync(out, 'w'), openSync(join(dir, 'serve.log'), 'w')],
    env,
  })
  const sockets = []
  try {
    let api
    while (!(api = /listening on (http:\/\/\S+)/.exec(readFileSync(out, 'utf8'))?.[1])) await new Promise((r) => setTimeout(r, 50))
    const port = async (name) => Number((await (await fetch(`${api}/proxies/${name}`)).json()).listen.split(':').at(-1))
    const [idleProxy, slowProxy] = [await port('idle'), await port('slow')]
    console.log(`faultline serve memory — node ${process.version}; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} (${cpus().length} cores); open-file limit ${hardLimit}`)
    const pipe = await idleThrough(`const net = require('node:net')
const s = net.createServer((c) => { const u = net.connect({port: ${idlePort}, host: '127.0.0.1'}); c.pipe(u).pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()) })
s.listen(0, '127.0.0.1', () => console.log(s.address().port))`)
    console.log(`  bare socket.pipe process: RSS at start ${pipe.start.toFixed(1)} MiB; with ${IDLE} idle connections ${pipe.withIdle.toFixed(1)} MiB (${pipe.each.toFixed(1)} KiB each)`)
    const start = rssMb(serve.pid)
    sockets.push(...(await openIdle(idleProxy)))
    const withIdle = rssMb(serve.pid)
    const each = ((withIdle - start) * 1024) / IDLE
    console.log(`  faultline serve: RSS at start ${start.toFixed(1)} MiB; with ${IDLE} idle connections ${withIdle.toFixed(1)} MiB (${each.toFixed(1)} KiB each, ${(each / pipe.each).toFixed(2)}× the pipe's); projected to 10000: ${(start + (each * 10_000) / 1024).toFixed(1)} MiB (goal < 250 MB)`)
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
