/**
 * Errors are values with codes. Every user-facing failure is one of these classes;
 * each maps to exactly one process exit code (docs/verdicts.md):
 *   2 bad usage or a bad scenario, 3 the environment failed.
 */
export const EXIT = {ok: 0, expectationFailed: 1, usage: 2, environment: 3} as const

export class FaultlineError extends Error {
  readonly code: string
  readonly exitCode: number
  constructor(code: string, message: string, exitCode: number, options?: {cause?: unknown}) {
    super(message, options)
    this.name = new.target.name
    this.code = code
    this.exitCode = exitCode
  }
}

/** Bad flags or arguments given on the command line. */
export class UsageError extends FaultlineError {
  constructor(message: string, options?: {cause?: unknown}) {
    super('FL_USAGE', message, EXIT.usage, options)
  }
}

/** Where in a user's file a problem sits. Lines and columns are 1-based. */
export interface SourcePosition {
  file: string
  line?: number
  column?: number
}

export function formatPosition(pos: SourcePosition): string {
  if (pos.line === undefined) return pos.file
  return pos.column === undefined ? `${pos.file}:${pos.line}` : `${pos.file}:${pos.line}:${pos.column}`
}

/** A scenario or profile file that cannot be used as written. */
export class ScenarioError extends FaultlineError {
  readonly position: SourcePosition
  constructor(position: SourcePosition, message: string, options?: {cause?: unknown}) {
    super('FL_SCENARIO', `${formatPosition(position)}: ${message}`, EXIT.usage, options)
    this.position = position
  }
}

/** The world around faultline failed: a server would not start, a port was taken. */
export class EnvironmentError extends FaultlineError {
  constructor(code: string, message: string, options?: {cause?: unknown}) {
    super(code, message, EXIT.environment, options)
  }
}
