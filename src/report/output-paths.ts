import {resolve} from 'node:path'
import {UsageError} from '../errors.js'

/**
 * Refuse two output flags that name the same file (`--events out --junit ./out`): they would
 * write over each other. Paths are compared resolved against the working directory. `outputs`
 * maps each flag as the user wrote it (`--junit`) to its path; unset flags are skipped.
 */
export function checkDistinctOutputs(outputs: Record<string, string | undefined>): void {
  const seen = new Map<string, string>()
  for (const [flag, path] of Object.entries(outputs)) {
    if (path === undefined) continue
    const resolved = resolve(path)
    const other = seen.get(resolved)
    if (other !== undefined) {
      throw new UsageError(
        `${other} and ${flag} name the same file (${path}); give each output a file of its own`,
      )
    }
    seen.set(resolved, flag)
  }
}
