import {spawn, type ChildProcess} from 'node:child_process'
import type {Socket} from 'node:net'

/**
 * The watcher, a /bin/sh script rather than a Node script: /bin/sh starts in about a
 * millisecond and under 2 MB resident, where a second Node would cost tens of
 * milliseconds and ~40 MB for the whole run, to do nothing but wait. It stays within POSIX
 * sh (dash on Debian, bash on macOS): `read -r`, `case`, parameter expansion and the
 * `kill -s KILL -- -PGID` form both shells accept for a process group.
 *
 * It reads one line per change from its stdin: `+PGID` (faultline tracks the group) or
 * `-PGID` (faultline untracked it: gone, or left alone on purpose). The list is a
 * space-padded string (" 12 34 "), so membership is one `case` and removal one expansion.
 * Anything but a decimal id above 1 is ignored: `kill -- -0` would be the watcher's own
 * group and `kill -- -1` every process the user may signal. When stdin reaches end of file —
 * faultline closed it (dispose) or faultline is gone, however it died, since the kernel
 * closes its end then — every group still listed is SIGKILLed and the watcher exits. Lines
 * already in the pipe are read before the end of file, so a group faultline untracked just
 * before it died is never killed.
 *
 * SIGINT, SIGHUP and SIGTERM are ignored: a Ctrl-C, a terminal hangup or a SIGTERM sent to
 * every process of a job reaches faultline too, whose own reaper then kills its groups; the
 * watcher is only for the case where faultline cannot.
 */
export const GUARDIAN_SCRIPT = `trap '' INT HUP TERM
groups=' '
while IFS= read -r line; do
  id=\${line#?}
  case $id in ''|0*|1|*[!0-9]*) continue ;; esac
  case $line in
    +*) case $groups in *" $id "*) ;; *) groups="$groups$id " ;; esac ;;
    -*) case $groups in *" $id "*) groups="\${groups%% $id *} \${groups#* $id }" ;; esac ;;
  esac
done
for id in $groups; do kill -s KILL -- "-$id"; done 2>/dev/null
`

/** How the watcher shows in `ps`: its $0. */
const NAME = 'faultline-guardian'

/**
 * A small detached process that SIGKILLs the process groups faultline still tracks once
 * faultline is gone — also when faultline was SIGKILLed and none of its own handlers ran.
 *
 * It runs in its own session and process group, so a signal to faultline's group does not
 * take it down. It holds nothing of faultline's but the read end of a pipe on its stdin:
 * no stdout/stderr back (they go to /dev/null), so it never keeps faultline's event loop, or
 * the pipes of whoever runs faultline, open. Both the process and the pipe are unref'd:
 * faultline exits as if it were not there.
 *
 * Writes are one short line each. libuv hands a write to the kernel in the call itself while
 * nothing is queued before it, so a line is in the kernel's buffer before `track`/`untrack`
 * returns (also from an 'exit' handler). Only when several hundred lines wait unread (the
 * Unix socket Node uses for a 'pipe' fills; measured: 278 to 736 lines of a burst into a
 * reader that never ran) are later lines queued in faultline, and lost if it is killed
 * then; the watcher reads each line as it arrives, so that takes a watcher starved of CPU
 * and a run starting hundreds of processes at once. Writing never throws: once the watcher
 * is gone (EPIPE, exit, spawn failure) the guardian stops using it and faultline is back to
 * its own reaper alone.
 */
export class Guardian {
  private child: ChildProcess | undefined
  private input: Socket | undefined

  private constructor(child: ChildProcess) {
    this.child = child
    this.input = child.stdin as Socket
    child.on('error', () => this.forgetWatcher())
    child.once('exit', () => this.forgetWatcher())
    this.input.on('error', () => this.forgetWatcher())
    child.unref()
    this.input.unref()
  }

  /**
   * Start the watcher; undefined where there are no process groups to kill (Windows) or
   * the watcher cannot be started at all (then faultline runs without it, as it would on
   * Windows).
   */
  static start(shell = '/bin/sh'): Guardian | undefined {
    if (process.platform === 'win32') return undefined
    let child: ChildProcess
    try {
      child = spawn(shell, ['-c', GUARDIAN_SCRIPT, NAME], {
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
        // Never hold a directory the user may want to remove or unmount.
        cwd: '/',
      })
    } catch {
      return undefined
    }
    if (child.pid === undefined || child.stdin === null) {
      // Not started (e.g. ENOENT); the error event follows and must not go unheard.
      child.on('error', () => undefined)
      return undefined
    }
    return new Guardian(child)
  }

  /** The watcher's pid while it is in use. */
  get pid(): number | undefined {
    return this.child?.pid
  }

  /** From now on, kill group `pgid` if faultline dies. */
  track(pgid: number): void {
    this.send(`+${pgid}\n`)
  }

  /** Never kill group `pgid`. */
  untrack(pgid: number): void {
    this.send(`-${pgid}\n`)
  }

  /**
   * Untrack `pgids`, then close the pipe: the watcher kills whatever else is still on its
   * list (nothing, when every group was untracked) and exits. The guardian is done.
   */
  release(pgids: Iterable<number>): void {
    for (const pgid of pgids) this.untrack(pgid)
    this.input?.end()
    this.forgetWatcher()
  }

  private send(line: string): void {
    const input = this.input
    if (input === undefined || input.destroyed || !input.writable) return
    input.write(line)
  }

  private forgetWatcher(): void {
    this.child = undefined
    this.input = undefined
  }
}
