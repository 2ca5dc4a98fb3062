import type {EventLog} from '../events/event-log.js'
import {MAX_TIMER_MS} from '../timer-limit.js'
import type {ClientPolicy} from '../scenario/types.js'
import type {Transport} from './protocol.js'
import {deadlineSignal} from './deadline-signal.js'

/** The client's view of an operation: ok, failed (the server said no), or indeterminate. */
export type Outcome = 'ok' | 'failed' | 'indeterminate'

export interface AttemptRecord {
  attempt: number
  /** `reply` (got a status), `timeout`, or `error` (reset, refused…). */
  result: 'reply' | 'timeout' | 'error'
  status?: number | string
  error?: string
  body?: string
  durationMs: number
}

export interface OperationResult {
  outcome: Outcome
  attempts: AttemptRecord[]
  /** True when the client stopped on a final answer while it still had attempts left. */
  stoppedEarly: boolean
  /** The reply the client accepted (ok) or gave up on (failed), if any. */
  finalStatus?: number | string
  /**
   * A client command that did not end ok: how it ended. The built-in client leaves it unset
   * (its own attempts and stoppedEarly say why it stopped).
   */
  gaveUp?: string
}

export interface OperationOptions {
  transport: Transport
  policy: ClientPolicy
  /** Renders the request for attempt n (templates like {{attempt}} may change per attempt). */
  render: (attempt: number) => unknown
  trial: string
  events?: EventLog
  signal?: AbortSignal
}

/**
 * faultline's built-in client: one operation, attempted up to `policy.attempts` times with
 * exponential backoff; a per-attempt timeout; retries on timeouts, connection errors and
 * the policy's statuses. Each attempt carries the trial marker and its attempt number.
 */
export async function runOperation(options: OperationOptions): Promise<OperationResult> {
  const {policy, events, trial} = options
  const attempts: AttemptRecord[] = []
  let lastRetryable: 'indeterminate' | 'failed' = 'indeterminate'
  let retryAfter: number | undefined
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    // The server's Retry-After (or gRPC pushback) replaces the backoff once, capped at the longest a timer can wait.
    if (attempt > 1) await delay(Math.min(retryAfter ?? policy.backoff * policy.backoffFactor ** (attempt - 2), MAX_TIMER_MS), options.signal)
    retryAfter = undefined
    options.signal?.throwIfAborted()
    const request = options.render(attempt)
    events?.record({type: 'attempt', trial, attempt, ...describeRequest(request)})
    const started = performance.now()
    const deadline = deadlineSignal(policy.timeout, options.signal)
    try {
      const reply = await options.transport.send(request, {trial, attempt}, policy, deadline.signal)
      const record: AttemptRecord = {
        attempt,
        result: 'reply',
        status: reply.status,
        body: (typeof reply.body === 'string' ? reply.body : (JSON.stringify(reply.body) ?? '')).slice(0, 4096),
        durationMs: performance.now() - started,
      }
      attempts.push(record)
      const result = statusField(reply.status)
      if (reply.retryAfterMs !== undefined) result.detail = {...result.detail, retryAfterMs: reply.retryAfterMs}
      events?.record({type: 'attempt-result', trial, attempt, ...result})
      const verdict = reply.classification
      if (verdict === 'retry') {
        retryAfter = reply.retryAfterMs
        lastRetryable = typeof reply.status === 'number' && reply.status >= 400 && reply.status < 500 ? 'failed' : 'indeterminate'
        continue
      }
      return {outcome: verdict, attempts, stoppedEarly: attempt < policy.attempts && verdict !== 'ok', finalStatus: reply.status}
    } catch (err) {
      options.signal?.throwIfAborted()
      const timedOut = deadline.timedOut
      const message = timedOut ? `no reply within ${policy.timeout}ms` : describeError(err)
      attempts.push({attempt, result: timedOut ? 'timeout' : 'error', error: message, durationMs: performance.now() - started})
      events?.record({type: 'attempt-result', trial, attempt, detail: {result: timedOut ? 'timeout' : 'error', message}})
      lastRetryable = 'indeterminate'
    } finally {
      deadline.dispose()
    }
  }
  return {outcome: lastRetryable, attempts, stoppedEarly: false}
}

/** Method and path for the event log, when the request has them (HTTP-like shapes). */
function describeRequest(request: unknown): {method?: string; path?: string} {
  if (request === null || typeof request !== 'object') return {}
  const r = request as {method?: unknown; path?: unknown; kind?: unknown; calls?: Array<{method?: unknown}>; frame?: unknown}
  // JSON-RPC: the called methods; framed TCP: the frame (both have no HTTP method or path).
  if (r.kind === 'jsonrpc' && Array.isArray(r.calls)) return {method: r.calls.map((c) => String(c.method)).join(', ')}
  if (r.kind === 'tcp') return {method: 'frame', path: (JSON.stringify(r.frame) ?? '').slice(0, 120)}
  return {
    method: typeof r.method === 'string' ? r.method : undefined,
    path: typeof r.path === 'string' ? r.path : undefined,
  }
}

function statusField(status: number | string): {status?: number; detail?: Record<string, unknown>} {
  return typeof status === 'number' ? {status} : {detail: {status}}
}

function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & {cause?: NodeJS.ErrnoException}
  const code = e.code ?? e.cause?.code
  return code ? `${code}: ${e.message}` : e.message
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}
