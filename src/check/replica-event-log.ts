import {EventLog, type ProxyEvent, type ProxyEventInput} from '../events/event-log.js'

/**
 * The run's event log as one replica's proxy sees it: every event it records names the
 * replica (`proxy`), so a failover trial's timeline says which server each line is about.
 */
export class ReplicaEventLog extends EventLog {
  constructor(
    private readonly parent: EventLog,
    readonly replica: string,
  ) {
    super()
  }

  override record(input: ProxyEventInput): ProxyEvent {
    return this.parent.record({...input, proxy: input.proxy ?? this.replica})
  }

  override get observed(): boolean {
    return this.parent.observed
  }

  override nextId(prefix: string): string {
    return this.parent.nextId(prefix)
  }
}
