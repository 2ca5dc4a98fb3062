// A client command that misbehaves on purpose, for the client-process tests. Every process it
// starts appends its pid to $PIDS_FILE, then the parent says "ready" on stdout.
//   hang          waits forever
//   trap          ignores SIGTERM (and SIGINT, SIGHUP), waits forever
//   fork-ignore   forks a child that ignores SIGTERM, then waits forever
//   leave-child   forks a child that ignores SIGTERM, then exits 0 at once
//   exit N        exits with status N
//   spam N        writes N lines of 100 bytes, then exits 0
import {spawn} from 'node:child_process'
import {appendFileSync} from 'node:fs'

const [mode, arg] = process.argv.slice(2)
const pids = process.env.PIDS_FILE
const note = (pid) => pids && appendFileSync(pids, `${pid}\n`)
const forever = () => setInterval(() => undefined, 60_000)
const ignoreTerm = () => {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => undefined)
}

function forkIgnoring() {
  const child = spawn(process.execPath, ['-e', "for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => {}); setInterval(() => {}, 60000); console.log('child ready')"], {stdio: ['ignore', 'pipe', 'inherit']})
  note(child.pid)
  return new Promise((resolve) => child.stdout.once('data', resolve))
}

note(process.pid)
switch (mode) {
  case 'hang':
    forever()
    break
  case 'trap':
    ignoreTerm()
    forever()
    break
  case 'fork-ignore':
    await forkIgnoring()
    forever()
    break
  case 'leave-child':
    await forkIgnoring()
    if (mode !== 'spam') console.log('ready')
    process.exit(0)
    break
  case 'exit':
    process.exit(Number(arg))
    break
  case 'spam':
    // Ends on its own rather than by process.exit(), which may cut writes to a pipe short.
    for (let i = 0; i < Number(arg); i++) process.stdout.write(`${String(i).padStart(99, '.')}\n`)
    process.exitCode = 0
    break
  default:
    process.stderr.write(`unknown mode ${mode}\n`)
    process.exit(64)
}
if (mode !== 'spam') console.log('ready')
