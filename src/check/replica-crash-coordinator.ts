import type {EventLog} from '../events/event-log.js'
import type {CrashContext, ProxyHooks} from '../proxy/proxy-hooks.js'
import type {TargetServer} from './target-server.js'
import type {ActiveTrial} from './trial-runner.js'

/**
 * Crash faults on a replicated target. They hit the primary (only its proxy carries the
 * trial's fault rules): SIGKILL it at the request's exact point, read the trial's effect
 * probe on the replica it names while no other replica takes traffic (the state the failover
 * finds), then let the backups serve ("failed-over") and restart the primary, which rejoins.
 * Requests to the primary wait for its restart. A restart that fails is fatal to the run.
 */
export class ReplicaCrashCoordinator {
  /** Kill → ready milliseconds of the primary, per crash. */
  readonly restarts: number[] = []
  private failingOver: Promise<void> | undefined
  private primaryDown: Promise<void> | undefined

  constructor(
    private readonly primary: {name: string; server: TargetServer},
    private readonly events: EventLog,
    private readonly activeTrials: ReadonlyMap<string, ActiveTrial>,
    private readonly onFatal: (error: Error) => void,
  ) {}

  primaryHooks(): ProxyHooks {
    return {crash: (context) => this.crash(context), serverUp: () => this.primaryDown}
  }

  /** Backups take no faults; they only hold requests until the post-crash probe was read. */
  backupHooks(): ProxyHooks {
    return {serverUp: () => this.failingOver}
  }

  private async crash(context: CrashContext): Promise<void> {
    let failedOver: () => void = () => undefined
    let up: () => void = () => undefined
    this.failingOver = new Promise<void>((resolve) => (failedOver = resolve))
    this.primaryDown = new Promise<void>((resolve) => (up = resolve))
    const {trial, request, point} = context
    const proxy = this.primary.name
    try {
      const killedAt = performance.now()
      await this.primary.server.crash()
      this.events.record({type: 'supervisor', proxy, trial, request, detail: {action: 'killed', point}})
      // What a failover finds: read before any retry reaches a backup. Only a trial's first crash.
      const active = trial ? this.activeTrials.get(trial) : undefined
      if (active && active.crashPoint === undefined) {
        active.crashPoint = point
        active.afterRestart = await active.probe()
        if (active.afterRestart) this.events.record({type: 'probe', trial, detail: {when: 'after failover', reading: active.afterRestart}})
      }
      this.events.record({type: 'supervisor', proxy, trial, detail: {action: 'failed-over'}})
      this.failingOver = undefined
      failedOver()
      await this.primary.server.restart()
      const killToReadyMs = performance.now() - killedAt
      this.restarts.push(killToReadyMs)
      this.events.record({type: 'supervisor', proxy, trial, request, detail: {action: 'restarted', point, killToReadyMs}})
    } catch (error) {
      this.onFatal(error as Error)
      throw error
    } finally {
      this.failingOver = undefined
      this.primaryDown = undefined
      failedOver()
      up()
    }
  }
}
