import type {AuditOperation, GroupReason, ObservedAttempt} from './attempt.js'

/** Default for `--group-window`: how long after a failed attempt a matching request still counts as its retry. */
export const DEFAULT_GROUP_WINDOW_MS = 10_000

/**
 * An attempt that failed as far as the client could tell: a planned fault (on it, or on
 * another call of its JSON-RPC batch that fails them all), an error status from the server,
 * or the server's own error reply (a JSON-RPC error object, a TCP error frame).
 */
export function attemptFailed(attempt: ObservedAttempt): boolean {
  if (attempt.fault || attempt.errorReply || attempt.batchFailed) return true
  return attempt.status !== undefined && (attempt.status >= 500 || attempt.status === 429 || attempt.status === 408)
}

/**
 * Groups attempts into operations as they arrive (docs/audit.md, "Grouping"). In order:
 *  1. an attempt carrying a request key joins the operation of the same route that already
 *     carries that key;
 *  2. otherwise it joins the latest operation with the same method, target and body hash
 *     whose last attempt failed no longer than `windowMs` before it (a retry that minted a
 *     new key lands here: "new key on retry");
 *  3. otherwise it starts a new operation.
 * Each attempt keeps the reason it was grouped so.
 */
export class OperationGrouper {
  readonly operations: AuditOperation[] = []
  private readonly byKey = new Map<string, AuditOperation>()
  private readonly byRequest = new Map<string, AuditOperation>()

  constructor(private readonly windowMs = DEFAULT_GROUP_WINDOW_MS) {}

  /** Put `attempt` into an operation; returns it and the attempt's 1-based number in it. */
  add(attempt: ObservedAttempt): {operation: AuditOperation; number: number} {
    const {operation, reason} = this.find(attempt)
    operation.attempts.push({attempt, reason})
    if (attempt.key) this.byKey.set(keyIndex(attempt), operation)
    this.byRequest.set(requestIndex(attempt), operation)
    return {operation, number: operation.attempts.length}
  }

  private find(attempt: ObservedAttempt): {operation: AuditOperation; reason: GroupReason} {
    if (attempt.key) {
      const operation = this.byKey.get(keyIndex(attempt))
      if (operation) {
        const n = operation.attempts.length
        return {operation, reason: {rule: 'same-key', detail: `same ${attempt.key.source} "${attempt.key.value}" as attempt ${n}`}}
      }
    }
    const operation = this.byRequest.get(requestIndex(attempt))
    const last = operation?.attempts.at(-1)?.attempt
    if (operation && last && attemptFailed(last) && attempt.time - last.time <= this.windowMs) {
      const gap = Math.round(attempt.time - last.time)
      const n = operation.attempts.length
      let detail = `same method, target and body as attempt ${n}, which failed ${gap} ms before`
      if (attempt.key && last.key && attempt.key.value !== last.key.value) detail += `; new ${attempt.key.source} "${attempt.key.value}" (was "${last.key.value}")`
      else if (attempt.key && !last.key) detail += `; ${attempt.key.source} "${attempt.key.value}" added on retry`
      else if (!attempt.key && last.key) detail += `; ${last.key.source} dropped on retry`
      return {operation, reason: {rule: 'same-request', detail}}
    }
    const created: AuditOperation = {id: `op${this.operations.length + 1}`, route: attempt.route, attempts: []}
    this.operations.push(created)
    const detail = attempt.key ? `new ${attempt.key.source} "${attempt.key.value}"` : 'no failed attempt with the same method, target and body within the window'
    return {operation: created, reason: {rule: 'first', detail}}
  }
}

function keyIndex(attempt: ObservedAttempt): string {
  return `${attempt.route}\0${attempt.key?.value ?? ''}`
}

function requestIndex(attempt: ObservedAttempt): string {
  return `${attempt.method}\0${attempt.target}\0${attempt.bodyHash}`
}
