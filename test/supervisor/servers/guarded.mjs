// A stand-in for faultline that the test SIGKILLs: `node --import tsx guarded.mjs <mode>`.
// It installs a ProcessReaper (which starts its guardian), starts two detached `sleep` groups,
// tracks both, untracks the second, and prints one JSON line: {guardian, tracked, untracked}.
//   mode "wait": then waits to be killed.
//   mode "exit": then untracks the first too (a finished run) and lets the event loop end:
//                neither the guardian nor its pipe may keep this process alive.
import {spawn} from 'node:child_process'
import {ProcessReaper} from '../../../src/supervisor/index.js'

const [mode] = process.argv.slice(2)
const reaper = new ProcessReaper().install()
const group = () => {
  const child = spawn('sleep', ['600'], {detached: true, stdio: 'ignore'})
  child.unref()
  return child.pid
}
const tracked = group()
const untracked = group()
reaper.track(tracked)
reaper.track(untracked)
reaper.untrack(untracked)
process.stdout.write(`${JSON.stringify({guardian: reaper.guardianPid, tracked, untracked})}\n`)
if (mode === 'exit') reaper.untrack(tracked)
else setInterval(() => {}, 1 << 30)
