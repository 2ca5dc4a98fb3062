/** A signal that aborts at a deadline or with the run, and what to call once it is no longer needed. */
export interface DeadlineSignal {
  signal: AbortSignal
  /** Did the deadline pass (rather than the run's signal abort)? */
  readonly timedOut: boolean
  /** Stop the timer and stop listening to the run's signal; call it when the work is over. */
  dispose(): void
}

/**
 * `AbortSignal.any([AbortSignal.timeout(ms), signal])` for one attempt or probe of a run, without
 * what it costs on Node 20: there, every call leaves an entry in the long-lived run signal's
 * set of dependants until the run ends (about 60 bytes each, measured: three per trial of a
 * long run), and the timeout's timer stays pending for its whole duration after the attempt
 * ended. Here the listener on the run's signal and the timer both go on `dispose()`. The
 * deadline aborts with a `TimeoutError` DOMException, as AbortSignal.timeout does.
 */
export function deadlineSignal(ms: number, signal?: AbortSignal): DeadlineSignal {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))
  }, ms)
  const onAbort = () => controller.abort(signal?.reason)
  if (signal?.aborted) onAbort()
  else signal?.addEventListener('abort', onAbort, {once: true})
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut
    },
    dispose() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    },
  }
}
