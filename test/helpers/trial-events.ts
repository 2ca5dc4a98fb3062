import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'

/**
 * A check run's events grouped by trial, read from the event log the run writes to (what
 * `--events FILE` writes). A run's result keeps the timelines of its evidence trials only
 * (src/check/trial-timelines.ts), so a test that looks at any trial's events reads them here:
 * pass `events` to runCheck, then `of(endpointIndex, trial)` (the endpoint's place in the
 * scenario's list the run was given).
 */
export function trialEvents(): {events: EventLog; of: (endpointIndex: number, trial: number) => ProxyEvent[]} {
  const events = new EventLog()
  const byMarker = new Map<string, ProxyEvent[]>()
  events.on('event', (event) => {
    if (event.trial === undefined) return
    const list = byMarker.get(event.trial) ?? []
    list.push(event)
    byMarker.set(event.trial, list)
  })
  return {events, of: (endpointIndex, trial) => byMarker.get(`t${endpointIndex}.${trial}`) ?? []}
}
