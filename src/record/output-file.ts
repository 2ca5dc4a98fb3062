import {openSync} from 'node:fs'
import {UsageError} from '../errors.js'

/**
 * Create the recording's file now, so a bad path is bad usage before the proxy starts. An
 * existing file is never replaced without `force` ('wx': the check and the creation are one step).
 */
export function claimOutputFile(path: string, force: boolean): number {
  try {
    return openSync(path, force ? 'w' : 'wx')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new UsageError(`--out ${path}: the file exists; remove it, choose another name, or pass --force to overwrite it`)
    throw new UsageError(`--out ${path}: cannot create the file (${code ?? (err as Error).message}); choose a path in a writable folder`)
  }
}
