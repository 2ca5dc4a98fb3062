import {EventEmitter} from 'node:events'
import type {EventLog} from '../events/event-log.js'
import {signalGroup, waitGroupGone} from './process-group.js'
import {raceReadiness} from './readiness.js'
import {describeProbe} from './ready-probe.js'
import type {ProcessReaper} from './reaper.js'
import {reapRun, settleRun} from './run-settlement.js'
import {runSetupCommand} from './setup-command.js'
import {describeExit, ServerError, type ExitReason, type ServerExit} from './server-error.js'
import {ServerLog} from './server-log.js'
import {assertPortFree, waitPreviousPortReleased} from './server-port.js'
import type {ServerSpec, SupervisorOptions} from './supervisor-options.js'
import {spawnServerProcess, watchServerRun, type RunSettlement, type ServerRun} from './server-run.js'

export type {ServerSpec, SupervisorOptions} from './supervisor-options.js'

export type SupervisorState = 'idle' | 'starting' | 'ready' | 'crashed' | 'exited' | 'stopping' | 'stopped'

/**
 * Starts, watches, crashes, restarts and stops the server under test.
 *
 * The command line runs under `/bin/sh -c` with `detached: true`, so the server
 * leads its own process group and every signal goes to the whole group: a crash
 * kills its children too. An exit faultline did not cause is reported through
 * the 'unexpected-exit' event and `unexpectedExit()`.
 */
export class ServerSupervisor extends EventEmitter<{'unexpected-exit': [ServerError]}> {
  readonly spec: ServerSpec
  private readonly log: ServerLog
  private readonly events?: EventLog
  private readonly signal?: AbortSignal
  private readonly reaper?: ProcessReaper
  private readonly probeIntervalMs: number
  private readonly portReleaseTimeoutMs: number
  private run?: ServerRun
  private currentState: SupervisorState = 'idle'
  private starts = 0
  private setupDone = false
  private stopping?: Promise<void>
  private readonly onAbort = (): void => this.killNow('abort')

  constructor(spec: ServerSpec, options: SupervisorOptions = {}) {
    super()
    this.spec = spec
    this.log = new ServerLog(spec.logFile, options.tailLines ?? 10)
    this.events = options.events
    this.signal = options.signal
    this.reaper = options.reaper
    this.probeIntervalMs = options.probeIntervalMs ?? 50
    this.portReleaseTimeoutMs = options.portReleaseTimeoutMs ?? 5000
  }

  /** Where the server's output goes; print it so the user can read it. */
  get logFile(): string {
    return this.log.path
  }

  /** Pid (and process-group id) of the running server, if one runs. */
  get pid(): number | undefined {
    return this.run?.alive ? this.run.pid : undefined
  }

  get state(): SupervisorState {
    return this.currentState
  }

  /** How many times the server was spawned. */
  get startCount(): number {
    return this.starts
  }

  /**
   * Spawn the server and wait until its ready probe succeeds. Rejects with a
   * ServerError (exit 3): FL_PORT_TAKEN before spawning when the probe's port
   * already answers, FL_SERVER_START when it cannot be spawned, FL_SERVER_EXIT
   * when it exits first, FL_SERVER_READY_TIMEOUT after `startupTimeoutMs` (the
   * group is killed then). Rejects with the abort reason when the signal aborts.
   */
  async start(): Promise<{readyMs: number}> {
    this.signal?.throwIfAborted()
    if (
      this.currentState === 'starting' ||
      this.currentState === 'ready' ||
      this.currentState === 'stopping'
    ) {
      throw new Error(`cannot start the server while it is ${this.currentState}`)
    }
    this.currentState = 'starting'
    try {
      // The previous run's group may still be dying (and holding the port).
      if (this.run !== undefined) {
        await this.settle(this.run)
        await waitPreviousPortReleased({
          probe: this.spec.ready,
          command: this.spec.command,
          previousPid: this.run.pid,
          log: this.log,
          timeoutMs: this.portReleaseTimeoutMs,
          intervalMs: this.probeIntervalMs,
          signal: this.signal,
        })
      }
      await assertPortFree(this.spec.ready, this.spec.command, this.log)
      if (this.spec.setup !== undefined && !this.setupDone) await this.runSetup(this.spec.setup)
      this.signal?.throwIfAborted()
      this.signal?.addEventListener('abort', this.onAbort, {once: true})
      const run = await this.spawnRun()
      try {
        return await this.waitReady(run)
      } catch (error) {
        // Whatever went wrong, a server that did not become ready must not linger.
        if (run.alive) {
          run.ending ??= 'abort'
          this.kill(run, 'SIGKILL', 'start-failed')
          await this.settle(run)
        }
        throw error
      }
    } catch (error) {
      if (this.currentState === 'starting') this.currentState = this.starts === 0 ? 'idle' : 'exited'
      throw error
    }
  }

  /** Start again after crash(), an unexpected exit or stop(). Same contract as start(). */
  restart(): Promise<{readyMs: number}> {
    return this.start()
  }

  /**
   * SIGKILL the server's whole process group — a real crash, no graceful shutdown —
   * and resolve once every process of the group is gone (its ports are free then).
   * Resolves false when no server was running.
   */
  async crash(): Promise<boolean> {
    const run = this.run
    if (this.currentState === 'starting' || this.currentState === 'stopping') {
      throw new Error(`cannot crash the server while it is ${this.currentState}`)
    }
    if (run === undefined || !run.alive) {
      if (run !== undefined) await this.reap(run)
      return false
    }
    run.ending = 'crash'
    this.kill(run, 'SIGKILL', 'crash')
    await this.reap(run)
    this.currentState = 'crashed'
    return true
  }

  /**
   * crash() then start(). `killToReadyMs` runs from the SIGKILL to the moment the
   * new process answered its ready probe.
   */
  async crashAndRestart(): Promise<{killToReadyMs: number; readyMs: number}> {
    const killedAt = performance.now()
    await this.crash()
    const {readyMs} = await this.start()
    return {killToReadyMs: performance.now() - killedAt, readyMs}
  }

  /**
   * Resolves with the error when the server of the current (or latest) start
   * exits on its own after it became ready. Never resolves for a run ended by
   * crash(), stop() or abort. Race a trial against it.
   */
  unexpectedExit(): Promise<ServerError> {
    return this.run?.unexpectedExit ?? new Promise<ServerError>(() => {})
  }

  /**
   * SIGTERM the group, SIGKILL it after `stopTimeoutMs`, wait until it is gone,
   * close the log. Idempotent; concurrent calls share one stop.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop().finally(() => {
      this.stopping = undefined
    })
    return this.stopping
  }

  private async doStop(): Promise<void> {
    const run = this.run
    this.signal?.removeEventListener('abort', this.onAbort)
    if (run !== undefined && run.alive) {
      this.currentState = 'stopping'
      run.ending ??= 'stop'
      this.kill(run, 'SIGTERM', 'stop')
      const gone = await waitGroupGone(run.pid, this.spec.stopTimeoutMs ?? 5000)
      if (!gone) this.kill(run, 'SIGKILL', 'stop-timeout')
    }
    if (run !== undefined) await this.reap(run)
    if (this.currentState !== 'idle' && this.currentState !== 'stopped') {
      this.currentState = 'stopped'
      this.record('stopped', {})
    }
    this.log.close()
  }

  /** The setup command, once per supervisor: a restart finds the data the server left. */
  private async runSetup(command: string): Promise<void> {
    const {cwd, env, startupTimeoutMs} = this.spec
    const {ms} = await runSetupCommand({
      command,
      cwd,
      env,
      timeoutMs: startupTimeoutMs,
      log: this.log,
      signal: this.signal,
      reaper: this.reaper,
    })
    this.setupDone = true
    this.record('setup', {command, ms})
  }

  private async spawnRun(): Promise<ServerRun> {
    const {command, cwd} = this.spec
    const child = await spawnServerProcess(command, cwd, this.spec.env, this.log)
    const pid = child.pid
    this.reaper?.track(pid)
    this.starts += 1
    this.log.marker(`start #${this.starts} of \`${command}\` (pid ${pid}${cwd ? `, cwd ${cwd}` : ''})`)
    this.record('started', {pid, start: this.starts, command})
    const run = watchServerRun(child, pid, this.starts, this.spec.ready, this.log)
    this.run = run
    void run.exited.then(({code, signal}) => this.onExit(run, code, signal))
    return run
  }

  private async waitReady(run: ServerRun): Promise<{readyMs: number}> {
    const startedAt = performance.now()
    const {startupTimeoutMs, ready: probe} = this.spec
    const outcome = await raceReadiness(run, startedAt, {
      probe,
      startupTimeoutMs,
      probeIntervalMs: this.probeIntervalMs,
      signal: this.signal,
    })

    if (outcome === 'ready' && run.alive) {
      const readyMs = performance.now() - startedAt
      run.ready = true
      this.currentState = 'ready'
      this.log.marker(`pid ${run.pid} is ready after ${Math.round(readyMs)} ms (${describeProbe(probe)})`)
      this.record('ready', {pid: run.pid, start: run.number, readyMs})
      return {readyMs}
    }
    if (outcome === 'abort' || run.ending === 'abort') {
      this.killNow('abort')
      await this.reap(run)
      throw this.signal?.reason ?? new DOMException('The server start was aborted', 'AbortError')
    }
    if (outcome === 'timeout') {
      run.ending = 'timeout'
      this.kill(run, 'SIGKILL', 'ready-timeout')
      const exit = await this.reap(run)
      this.currentState = 'exited'
      throw new ServerError(
        'FL_SERVER_READY_TIMEOUT',
        `the server \`${this.spec.command}\` did not become ready within ${startupTimeoutMs} ms ` +
          `(waited for ${describeProbe(probe)}${probe.kind === 'log' ? '' : `; last attempt: ${run.lastProbe}`}). ` +
          `It was killed.`,
        {file: this.log.path, tail: exit.logTail},
        {exit},
      )
    }
    // It exited before it became ready.
    const exit = await this.reap(run)
    if (run.ending !== undefined) {
      throw new DOMException(`The server was stopped (${run.ending}) before it became ready`, 'AbortError')
    }
    this.currentState = 'exited'
    throw new ServerError(
      'FL_SERVER_EXIT',
      `the server \`${this.spec.command}\` ${describeExit(exit.code, exit.signal)} before it became ready ` +
        `(after ${Math.round(performance.now() - startedAt)} ms).`,
      {file: this.log.path, tail: exit.logTail},
      {exit},
    )
  }

  /** The leader exited: write the marker, kill what is left of its group, report an unexpected exit. */
  private async onExit(run: ServerRun, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    run.alive = false
    const reason: ExitReason = run.ending ?? 'unexpected'
    // Nothing of a server whose leader died on its own may keep running (or keep its
    // port). On stop() the rest of the group gets its stopTimeoutMs to shut down: the
    // leader may be a /bin/sh that died of SIGTERM before the real server finished.
    if (reason !== 'stop') signalGroup(run.pid, 'SIGKILL')
    this.record('exited', {
      pid: run.pid,
      start: run.number,
      code,
      signal,
      reason,
      expected: reason !== 'unexpected',
    })
    if (reason !== 'unexpected' || !run.ready) return
    this.currentState = 'exited'
    const {exit} = await this.settle(run)
    const error = new ServerError(
      'FL_SERVER_EXIT',
      `the server \`${this.spec.command}\` (pid ${run.pid}) ${describeExit(code, signal)} unexpectedly ` +
        `after it became ready; faultline did not stop it.`,
      {file: this.log.path, tail: exit.logTail},
      {exit},
    )
    run.reportUnexpected(error)
    this.emit('unexpected-exit', error)
  }

  /** Wait until the run's group is gone; FL_SERVER_STOP only if it survived SIGKILL. */
  private reap(run: ServerRun): Promise<ServerExit> {
    return reapRun(run, this.log, this.reaper, this.spec.command)
  }

  private settle(run: ServerRun): Promise<RunSettlement> {
    return settleRun(run, this.log, this.reaper)
  }

  private kill(run: ServerRun, signal: 'SIGKILL' | 'SIGTERM', why: string): void {
    if (signalGroup(run.pid, signal)) this.record('killed', {pid: run.pid, start: run.number, signal, why})
  }

  /** Synchronous SIGKILL of the current group: used on abort. */
  private killNow(reason: 'abort'): void {
    const run = this.run
    if (run === undefined || !run.alive) return
    run.ending ??= reason
    this.kill(run, 'SIGKILL', reason)
  }

  private record(action: string, detail: Record<string, unknown>): void {
    this.events?.record({type: 'supervisor', detail: {action, ...detail}})
  }
}
