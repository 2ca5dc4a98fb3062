import type {EventLog} from '../events/event-log.js'
import type {CrashContext, ProxyHooks} from '../proxy/proxy-hooks.js'
import type {TargetServer} from './target-server.js'
import type {ActiveTrial} from './trial-runner.js'

/**
 * Carries out the crash faults the proxy asks for: SIGKILL the server at the request's exact
 * point, restart it, read the crashed trial's state right after the restart (before any
 * held request is let through), and hold requests that arrive meanwhile. A restart that fails
 * is fatal to the run: `onFatal` hears of it.
 */
export class CrashCoordinator {
  /** Kill → ready milliseconds, per restart. */
  readonly restarts: number[] = []
  /** Set while a crash restart is in progress; requests arriving meanwhile wait for it. */
  private restarting: Promise<void> | undefined

  constructor(
    private readonly server: TargetServer,
    private readonly events: EventLog,
    private readonly activeTrials: ReadonlyMap<string, ActiveTrial>,
    private readonly onFatal: (error: Error) => void,
  ) {}

  /** The hooks a protocol proxy calls at its fault points. */
  hooks(): ProxyHooks {
    return {crash: (context) => this.crash(context), serverUp: () => this.restarting}
  }

  private async crash(context: CrashContext): Promise<void> {
    if (!this.server.canCrash) throw new Error('crash faults need target.server so faultline can restart the server')
    let up: () => void = () => undefined
    this.restarting = new Promise<void>((resolve) => (up = resolve))
    try {
      const killToReadyMs = await this.server.crashAndRestart()
      this.restarts.push(killToReadyMs)
      const {trial, request, point} = context
      this.events.record({type: 'supervisor', trial, request, detail: {action: 'restarted', point, killToReadyMs}})
      // The state right after the restart, before the retry or duplicate is let through.
      // Only a trial's first crash is measured; a second one in the same trial is not.
      const active = trial ? this.activeTrials.get(trial) : undefined
      if (active && active.crashPoint === undefined) {
        active.crashPoint = point
        active.afterRestart = await active.probe()
        if (active.afterRestart) this.events.record({type: 'probe', trial, detail: {when: 'after restart', reading: active.afterRestart}})
      }
    } catch (error) {
      this.onFatal(error as Error)
      throw error
    } finally {
      this.restarting = undefined
      up()
    }
  }
}
