import {EnvironmentError} from '../errors.js'

/** Why a server process ended. `unexpected` is the only one faultline did not cause. */
export type ExitReason = 'crash' | 'stop' | 'timeout' | 'abort' | 'unexpected'

/** How one start of the server ended. */
export interface ServerExit {
  pid: number
  /** Exit code of the process faultline spawned, or null when a signal ended it. */
  code: number | null
  signal: NodeJS.Signals | null
  reason: ExitReason
  /** The last lines the server wrote since this start, oldest first. */
  logTail: string[]
}

/**
 * An EnvironmentError (exit 3) about the server under test. Carries the log file
 * and its tail, so a renderer can point at them; the message already quotes the tail.
 * Codes: FL_PORT_TAKEN, FL_SERVER_SETUP, FL_SERVER_START, FL_SERVER_EXIT, FL_SERVER_READY_TIMEOUT, FL_SERVER_STOP.
 */
export class ServerError extends EnvironmentError {
  readonly logFile: string
  readonly logTail: string[]
  readonly exit?: ServerExit

  constructor(
    code: string,
    message: string,
    log: {file: string; tail: string[]},
    options?: {cause?: unknown; exit?: ServerExit},
  ) {
    super(code, `${message}\n${formatTail(log.file, log.tail)}`, {cause: options?.cause})
    this.logFile = log.file
    this.logTail = log.tail
    this.exit = options?.exit
  }
}

/** "Last N lines of its log (path):" followed by the lines, indented. */
export function formatTail(file: string, tail: string[]): string {
  if (tail.length === 0) return `It wrote nothing to stdout or stderr (log: ${file}).`
  const heading = tail.length === 1 ? 'Last line' : `Last ${tail.length} lines`
  return `${heading} of its log (${file}):\n${tail.map((line) => `  | ${line}`).join('\n')}`
}

/** "exited with code 1" / "was killed by SIGSEGV". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `was killed by ${signal}`
  if (code === 127) return 'exited with code 127 (command not found)'
  return `exited with code ${code ?? 'unknown'}`
}
