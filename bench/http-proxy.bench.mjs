// Prints, in one run on this machine: requests/s and p50/p99 latency for 20 keep-alive
// connections of small JSON POSTs — direct, through faultline's HTTP proxy (no faults), and
// through http-proxy — plus the wall time of the demo check. Not a test: figures only.
import {execFileSync, fork} from 'node:child_process'
import {once} from 'node:events'
import {fileURLToPath} from 'node:url'
import autocannon from 'autocannon'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const DURATION = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = 20

async function start(script, args = []) {
  const child = fork(here(script), args, {stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
  const [message] = await once(child, 'message')
  return {child, url: `http://127.0.0.1:${message.port}`}
}

function load(url) {
  return autocannon({
    url: `${url}/orders`,
    connections: CONNECTIONS,
    duration: DURATION,
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({item: 'book', qty: 1}),
  })
}

function row(name, r, base) {
  const errors = r.errors + r.timeouts + r.non2xx
  return {
    target: name,
    'req/s': Math.round(r.requests.average),
    'vs direct': base ? `${(r.requests.average / base).toFixed(2)}×` : '1.00×',
    'p50 ms': r.latency.p50,
    'p99 ms': r.latency.p99,
    errors,
  }
}

const upstream = await start('./servers/upstream.mjs')
const faultline = await start('./servers/faultline-proxy.mjs', [upstream.url])
const reference = await start('./servers/http-proxy-reference.mjs', [upstream.url])
try {
  await load(upstream.url) // warm-up of the server and the load generator
  const direct = await load(upstream.url)
  const viaFaultline = await load(faultline.url)
  const viaReference = await load(reference.url)
  const base = direct.requests.average
  console.log(`HTTP keep-alive, ${CONNECTIONS} connections, small JSON POSTs, ${DURATION}s each (node ${process.version})`)
  console.table([row('direct', direct), row('faultline proxy', viaFaultline, base), row('http-proxy', viaReference, base)])
  const ratio = viaFaultline.requests.average / viaReference.requests.average
  console.log(`faultline / http-proxy: ${ratio.toFixed(2)}× requests/s (target ≥ 1.5×)`)
} finally {
  for (const p of [faultline, reference, upstream]) p.child.disconnect()
}

const started = performance.now()
try {
  execFileSync(process.execPath, [here('../bin/run.js'), 'check', here('../fixtures/demo.yaml'), '--seed', '1', '--json'], {stdio: 'ignore'})
  console.log(`demo check (fixtures/demo.yaml, seed 1): ${((performance.now() - started) / 1000).toFixed(2)} s wall time`)
} catch (err) {
  console.log(`demo check failed with exit code ${err.status}`)
}
