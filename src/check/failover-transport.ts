import type {EventLog} from '../events/event-log.js'
import type {ClientPolicy} from '../scenario/types.js'
import type {AttemptMarkers, Transport, TransportReply} from './protocol.js'

/** One replica as the failover client reaches it: through its own proxy. */
export interface FailoverReplica {
  name: string
  transport: Transport
}

/**
 * The built-in client's transport for replicated targets. Each operation starts at the first
 * replica (the primary); an attempt that ends in a connection error, a timeout or a reply the
 * protocol adapter marks as failing over (client.failoverOn; by default any retried reply)
 * moves the operation's next attempt to the next replica, round the list. Other retried
 * replies retry the same replica. Each attempt records which replica it went to, and a reply
 * that fails over says so.
 */
export class FailoverTransport implements Transport {
  /** The replica each running operation (by trial marker) sends its next attempt to. */
  private readonly current = new Map<string, number>()

  constructor(
    private readonly replicas: readonly FailoverReplica[],
    private readonly events: EventLog,
  ) {}

  async send(request: unknown, markers: AttemptMarkers | undefined, policy: ClientPolicy, signal: AbortSignal): Promise<TransportReply> {
    const trial = markers?.trial ?? ''
    if (markers?.attempt === 1) this.current.delete(trial)
    const index = this.current.get(trial) ?? 0
    const replica = this.replicas[index] as FailoverReplica
    this.events.record({type: 'client', trial: markers?.trial, attempt: markers?.attempt, proxy: replica.name, detail: {action: 'failover', message: `attempt ${markers?.attempt ?? '?'} goes to ${replica.name}`}})
    const next = (): void => void this.current.set(trial, (index + 1) % this.replicas.length)
    try {
      const reply = await replica.transport.send(request, markers, policy, signal)
      if (reply.failover !== undefined) {
        next()
        const to = this.replicas[this.current.get(trial) as number] as FailoverReplica
        const message = `attempt ${markers?.attempt ?? '?'} got ${reply.failover} → next replica ${to.name}`
        this.events.record({type: 'client', trial: markers?.trial, attempt: markers?.attempt, proxy: replica.name, detail: {action: 'fails-over', message}})
      }
      return reply
    } catch (error) {
      next()
      throw error
    }
  }

  async close(): Promise<void> {
    this.current.clear()
    await Promise.allSettled(this.replicas.map((r) => r.transport.close()))
  }
}
