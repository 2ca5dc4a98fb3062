import type {EventLog} from '../../src/events/event-log.js'

/** Resolves once `predicate` holds, checked now and after every event of the log (no polling, no sleeps). */
export function untilEvents(events: EventLog, predicate: () => boolean): Promise<void> {
  if (predicate()) return Promise.resolve()
  return new Promise((resolve) => {
    const listener = () => {
      if (!predicate()) return
      events.off('event', listener)
      resolve()
    }
    events.on('event', listener)
  })
}
