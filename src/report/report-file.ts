import {closeSync, existsSync, openSync, unlinkSync, writeSync} from 'node:fs'
import {UsageError} from '../errors.js'

/** A report file opened before the run: created exclusively (unless forced or appending). */
export interface ReportFile {
  write(text: string): void
  /** The run failed: close, and remove the file if this claim created it. */
  abandon(): void
}

/**
 * Open `path` for a report now, so a bad path is bad usage before anything runs. An existing
 * file is never replaced without `force`; with `append` (a CI step summary file that already
 * exists) the report is added at its end instead.
 */
export function claimReportFile(flag: string, path: string, force: boolean, append = false): ReportFile {
  let fd: number
  const existed = existsSync(path)
  let open = true
  const close = () => {
    if (open) closeSync(fd)
    open = false
  }
  try {
    fd = openSync(path, append ? 'a' : force ? 'w' : 'wx')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new UsageError(`${flag} ${path}: the file exists; remove it, choose another name, or pass --force to overwrite it`)
    throw new UsageError(`${flag} ${path}: cannot create the file (${code ?? (err as Error).message}); choose a path in a writable folder`)
  }
  return {
    write(text: string) {
      try {
        writeSync(fd, text)
      } finally {
        close()
      }
    },
    abandon() {
      if (!open) return
      close()
      if (!existed) unlinkSync(path)
    },
  }
}
