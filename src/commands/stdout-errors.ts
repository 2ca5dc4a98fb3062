import {EXIT} from '../errors.js'

/**
 * What a failed write to standard output does. oclif, when it loads, puts a listener on
 * `process.stdout` that ignores EPIPE (the reader went away, as with `| head`) and rethrows
 * every other error — an uncaught exception: a stack trace and exit 1 for, say, a full disk
 * (`> /dev/full`: ENOSPC). This replaces it: EPIPE still ends the output quietly with the
 * run's own exit code; any other error is one line on stderr, once, and exit 3 (an
 * environment failure). Later writes to the failed stream go nowhere.
 */
export function reportStdoutErrors(stdout: NodeJS.WriteStream = process.stdout): void {
  if (stdout.listeners('error').includes(onStdoutError)) return
  // At this point the only listener is oclif's rethrowing one (commands install this first).
  stdout.removeAllListeners('error')
  stdout.on('error', onStdoutError)
}

let reported = false

function onStdoutError(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE' || reported) return
  reported = true
  process.exitCode = EXIT.environment
  process.stderr.write(`faultline: cannot write to standard output: ${err.code ?? err.message}${err.code === 'ENOSPC' ? ' (no space left on the device)' : ''}\n`)
}
