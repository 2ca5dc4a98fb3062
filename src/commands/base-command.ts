import {Command} from '@oclif/core'
import {FaultlineError} from '../errors.js'

/**
 * Shared error handling: a FaultlineError becomes one line on stderr (or a JSON error
 * document with --json) and its own exit code — never a stack trace. oclif's own
 * flag-parsing errors keep oclif's handling (exit 2).
 */
export abstract class FaultlineCommand extends Command {
  override async catch(err: Error & {exitCode?: number; oclif?: unknown}): Promise<unknown> {
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

  /** Colour on a terminal only, and never when NO_COLOR is set. */
  protected useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
    if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false
    if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true
    return stream.isTTY === true
  }
}
