import type {EventLog, ProxyEvent} from '../events/event-log.js'

/** Collects the events of each trial (by its marker) from a run's event log. */
export class TrialEventCollector {
  private readonly byTrial = new Map<string, ProxyEvent[]>()
  private readonly listener = (event: ProxyEvent) => {
    if (event.trial === undefined) return
    const list = this.byTrial.get(event.trial)
    if (list) list.push(event)
  }

  constructor(private readonly events: EventLog) {
    events.on('event', this.listener)
  }

  /** Start keeping events for this trial marker. */
  watch(trial: string): void {
    if (!this.byTrial.has(trial)) this.byTrial.set(trial, [])
  }

  /** The trial's events so far, and stop keeping them. */
  take(trial: string): ProxyEvent[] {
    const list = this.byTrial.get(trial) ?? []
    this.byTrial.delete(trial)
    return list
  }

  dispose(): void {
    this.events.off('event', this.listener)
  }
}
