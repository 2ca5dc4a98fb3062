import {Command} from '@oclif/core'
import {EXIT, FaultlineError, UsageError} from '../errors.js'
import {writeChunks} from '../report/write-chunks.js'
import {reportStdoutErrors} from './stdout-errors.js'

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
