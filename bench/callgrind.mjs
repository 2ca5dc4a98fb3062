// Instructions per request, counted by valgrind's callgrind: repeatable on a loaded machine,
// where requests/s move by ±50 % between rounds. The server runs under callgrind; a fixed
// number of requests warms it up (JIT), the counters are zeroed (callgrind_control -z), the
// same number is sent again and the counters dumped (-d). Only the server's main thread
// counts (the JavaScript and the event loop): not V8's compiler and GC helper threads, whose
// work under valgrind lands at random in the window, not the kernel, not the load generator.
import {execFileSync, spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Pool} from 'undici'

/** Whether valgrind's callgrind and its control script are installed. */
export function hasCallgrind() {
  try {
    execFileSync('valgrind', ['--version'], {stdio: 'ignore'})
    execFileSync('callgrind_control', ['-h'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

/** Send `n` small JSON POSTs over `connections` keep-alive connections; fails on any non-200. */
export async function sendRequests(url, n, {connections, body}) {
  const pool = new Pool(url, {connections})
  let next = 0
  const worker = async () => {
    while (next++ < n) {
      const r = await pool.request({
        method: 'POST',
        path: '/orders',
        headers: {'content-type': 'application/json'},
        body,
      })
      await r.body.text()
      if (r.statusCode !== 200) throw new Error(`${url}: status ${r.statusCode}`)
    }
  }
  try {
    await Promise.all(Array.from({length: connections}, worker))
  } finally {
    await pool.close()
  }
}

/**
 * Run `argv` (a node command line) under callgrind; `ready(child)` resolves to its URL once it
 * listens. Returns the instructions per request over `n` requests after `n` warm-up requests.
 */
export async function instructionsPerRequest({argv, stdio, env, ready, n, connections, body}) {
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-callgrind-'))
  const child = spawn(
    'valgrind',
    [
      '-q',
      '--tool=callgrind',
      '--separate-threads=yes',
      `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
      ...argv,
    ],
    {stdio, env},
  )
  const exited = once(child, 'exit')
  try {
    const url = await ready(child)
    await sendRequests(url, n, {connections, body})
    execFileSync('callgrind_control', ['-z', String(child.pid)], {stdio: 'ignore'})
    await sendRequests(url, n, {connections, body})
    execFileSync('callgrind_control', ['-d', String(child.pid)], {stdio: 'ignore'})
    const main = readdirSync(dir).find((f) => /^callgrind\.out\.\d+-01$/.test(f)) // the dump of thread 1
    if (!main) throw new Error(`callgrind wrote no dump of the main thread in ${dir}`)
    const total = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, main), 'utf8'))?.[1]
    if (total === undefined) throw new Error(`no instruction total in ${join(dir, main)}`)
    return Number(total) / n
  } finally {
    child.kill('SIGKILL')
    await exited
    rmSync(dir, {recursive: true, force: true})
  }
}
