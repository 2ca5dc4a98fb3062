// Preloaded into the `faultline check` process by check-scale.bench.mjs (through NODE_OPTIONS,
// with --expose-gc): every BENCH_HEAP_EVERY_MS (2000) it forces a full garbage collection and
// notes heapUsed and external memory (Buffers), so the figures are what the run really holds,
// without the garbage peak RSS also counts; and the live handles by kind (sockets, timers), so
// a leaked socket shows. At exit it writes the largest of each to BENCH_HEAP_FILE as JSON. The
// variable is removed at once, so the server processes the check starts write nothing.
import {writeFileSync} from 'node:fs'

const file = process.env.BENCH_HEAP_FILE
delete process.env.BENCH_HEAP_FILE
const collect = globalThis.gc
if (file && typeof collect === 'function') {
  const peak = {heapUsed: 0, external: 0, handles: 0, byKind: {}}
  const sample = () => {
    collect()
    const memory = process.memoryUsage()
    peak.heapUsed = Math.max(peak.heapUsed, memory.heapUsed)
    peak.external = Math.max(peak.external, memory.external)
    const handles = process.getActiveResourcesInfo()
    peak.handles = Math.max(peak.handles, handles.length)
    const counts = {}
    for (const kind of handles) counts[kind] = (counts[kind] ?? 0) + 1
    for (const [kind, n] of Object.entries(counts)) peak.byKind[kind] = Math.max(peak.byKind[kind] ?? 0, n)
  }
  setInterval(sample, Number(process.env.BENCH_HEAP_EVERY_MS ?? 2000)).unref()
  process.on('exit', () => writeFileSync(file, JSON.stringify(peak)))
}
