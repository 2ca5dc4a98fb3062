import {mkdtempSync, readdirSync} from 'node:fs'
import {rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {EnvironmentError} from '../errors.js'

/**
 * A run's own folder in the system's temporary folder (TMPDIR): the server log, and the data
 * a server keeps in {{runDir}}. Fresh per run (mkdtemp: a new name, only ours); whoever
 * creates it removes it at the end, or keeps it on purpose to be looked at.
 */
export class RunDir {
  private constructor(readonly path: string) {}

  /** Create a fresh `faultline-XXXXXX` folder in `parent`. A parent we cannot write to is exit 3. */
  static create(parent: string = tmpdir()): RunDir {
    try {
      return new RunDir(mkdtempSync(join(parent, 'faultline-')))
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
      throw new EnvironmentError(
        'FL_RUN_DIR',
        `cannot create a run folder in ${parent} (${code}); set TMPDIR to a writable folder`,
        {cause: error},
      )
    }
  }

  /** Where the server faultline starts writes its output. */
  get serverLog(): string {
    return join(this.path, 'server.log')
  }

  /** Nothing was written into it (no server ran). */
  isEmpty(): boolean {
    try {
      return readdirSync(this.path).length === 0
    } catch {
      return true
    }
  }

  /** Remove the folder and everything in it; a folder already gone is fine. */
  async remove(): Promise<void> {
    await rm(this.path, {recursive: true, force: true, maxRetries: 3})
  }
}
