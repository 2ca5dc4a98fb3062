import type {InFlightTracker} from './in-flight.js'
import {pendingSleep, type Cancelable} from './pending-sleep.js'

/**
 * The second delivery of a `duplicate` fault that runs beside the client's own (concurrent
 * or delayed; a sequential copy simply follows the first). A delayed copy is counted in
 * flight for the trial while it waits, so the trial is not probed before it lands; the wait
 * ends early when the proxy closes. Shared by every codec's exchange.
 */
export async function deliverCopy(
  mode: 'concurrent' | 'delayed',
  delay: number,
  deliver: () => Promise<void>,
  waiting: {tracker: InFlightTracker; trial: string | undefined; pending: Set<Cancelable>},
): Promise<void> {
  if (mode === 'concurrent') return deliver()
  waiting.tracker.begin(waiting.trial)
  try {
    await pendingSleep(delay, waiting.pending)
    await deliver()
  } finally {
    waiting.tracker.end(waiting.trial)
  }
}
