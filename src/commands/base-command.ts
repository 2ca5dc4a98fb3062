import {Command} from '@oclif/core'
import {EXIT, FaultlineError, UsageError} from '../errors.js'
import {writeChunks} from '../report/write-chunks.js'

/**
 * Shared error handling: a FaultlineError becomes one line on stderr (or a JSON error
 * document with --json) and its own exit code — never a stack trace. oclif's own
 * flag-parsing errors become one line too (exit 2), naming the command's --help.
 */
export abstract class FaultlineCommand extends Command {
  override async init(): Promise<void> {
    reportStdoutErrors()
    await super.init()
  }

  override async catch(err: Error & {exitCode?: number; oclif?: unknown; parse?: unknown}): Promise<unknown> {
    // Parser errors carry `parse`; a flag value its parse function refused is a plain Error oclif renamed.
    if (err.parse !== undefined || /^Parsing --[\w-]+ \n/.test(err.message)) err = oneLineUsageError(err, this.id)
    if (err instanceof FaultlineError) {
      process.exitCode = err.exitCode
      if (this.jsonEnabled()) this.logJson({error: {code: err.code, message: err.message}})
      else process.stderr.write(`faultline: ${err.message}\n`)
      return
    }
    if (err.oclif !== undefined) return super.catch(err)
    process.exitCode = 1
    const detail = process.env.DEBUG ? `\n${err.stack}` : ' (run with DEBUG=1 for details)'
    process.stderr.write(`faultline: internal error: ${err.message}${detail}\n`)
  }

  /**
   * `--json` output exactly as oclif prints it when no JSON colour theme is set (two-space
   * indent, one newline), but in one piece: oclif's colorizeJson first splits the document into
   * one token object per value, which for a 10,000-trial check result held about 100 MB at
   * once. With a theme configured, oclif colours it as before.
   */
  protected override logJson(json: unknown): void {
    if (this.config.theme?.json) return super.logJson(json)
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  /**
   * A `--json` document too large to hold as one text (a check result of thousands of trials),
   * written as `chunks` with backpressure: the same bytes `logJson(whole())` prints. With a JSON
   * colour theme configured, oclif colours `whole()` as before. If stdout fails, the writing
   * stops: the reader going away (EPIPE, e.g. `| head`) leaves the run's exit code; any other
   * failure (ENOSPC, …) is exit 3 and the one line `reportStdoutErrors` prints for it.
   */
  protected async logJsonChunks(chunks: Iterable<string>, whole: () => unknown): Promise<void> {
    if (this.config.theme?.json) return super.logJson(whole())
    try {
      await writeChunks(process.stdout, chunks)
    } catch (err) {
      // stdout's 'error' listener (reportStdoutErrors) has said what went wrong, once.
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE') process.exitCode = EXIT.environment
    }
  }

  /** Colour on a terminal only, and never when NO_COLOR is set. */
  protected useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
    if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false
    if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true
    return stream.isTTY === true
  }
}

/** oclif's multi-line parse error as one line: `--seed: Expected an integer … (see faultline check --help)`. */
function oneLineUsageError(err: Error, command: string | undefined): UsageError {
  const text = err.message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== 'See more help with --help')
    .join(' ')
    .replace(/\s+/g, ' ')
    .replace(/^Parsing (--[\w-]+) /, '$1: ')
  return new UsageError(`${text} (see faultline ${command ?? ''} --help)`.replace('  ', ' '), {cause: err})
}

/**
 * What a failed write to standard output does. oclif, when it loads, puts a listener on
 * `process.stdout` that ignores EPIPE (the reader went away, as with `| head`) and rethrows
 * every other error — an uncaught exception: a stack trace and exit 1 for, say, a full disk
 * (`> /dev/full`: ENOSPC). This replaces it: EPIPE still ends the output quietly with the
 * run's own exit code; any other error is one line on stderr, once, and exit 3 (an
 * environment failure). Later writes to the failed stream go nowhere.
 */
function reportStdoutErrors(stdout: NodeJS.WriteStream = process.stdout): void {
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
