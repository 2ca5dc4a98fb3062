import {spawn, type ChildProcess} from 'node:child_process'
import {EventEmitter, once} from 'node:events'
import {existsSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'
import type {EventLog} from '../events/event-log.js'
import {waitAddressReleased} from './port-release.js'
import {signalGroup, waitGroupGone} from './process-group.js'
import {describeProbe, isAddressServed, probeAddress, probeOnce, type ReadyProbe} from './ready-probe.js'
import type {ProcessReaper} from './reaper.js'
import {runSetupCommand} from './setup-command.js'
import {describeExit, ServerError, type ExitReason, type ServerExit} from './server-error.js'
import {ServerLog} from './server-log.js'

/** The scenario's `target.server`, validated and with templates already filled in. */
export interface ServerSpec {
  /**
   * Run once (same shell, cwd and env as `command`) before the first start and never again,
   * not on a restart: seeds the server's data. Bounded by `startupTimeoutMs`.
   */
  setup?: string
  /** A shell command line, run by /bin/sh -c in its own process group. */
  command: string
  cwd?: string
  /** Added to (and overriding) faultline's own environment. */
  env?: Record<string, string>
  ready: ReadyProbe
  /** How long a start may take until the ready probe succeeds. */
  startupTimeoutMs: number
  /** stdout and stderr of every start are appended here. */
  logFile: string
  /** How long stop() waits after SIGTERM before it SIGKILLs the group. Default 5000. */
  stopTimeoutMs?: number
}

export interface SupervisorOptions {
  /** Receives 'supervisor' events: started, ready, killed, exited, stopped. */
  events?: EventLog
  /** Aborting SIGKILLs the server's group at once and rejects a pending start with the reason. */
  signal?: AbortSignal
  /** Tracks the server's process group so an interrupted run leaves no orphan. */
  reaper?: ProcessReaper
  /** Pause between two ready-probe attempts. Default 50 ms. */
  probeIntervalMs?: number
  /** Log lines quoted in error messages. Default 10. */
  tailLines?: number
  /**
   * On a restart: how long the previous server's port may still accept connections after its
   * process group is gone before the start fails with FL_PORT_TAKEN. Default 5000 ms.
   */
  portReleaseTimeoutMs?: number
}

export type SupervisorState = 'idle' | 'starting' | 'ready' | 'crashed' | 'exited' | 'stopping' | 'stopped'

/** Bound on waiting for a SIGKILLed group to disappear; SIGKILL cannot be ignored. */
const KILL_WAIT_MS = 5000
/** Bound on waiting for the pipes to drain after the group died. */
const DRAIN_WAIT_MS = 1000
/** Bound on one probe attempt. */
const PROBE_ATTEMPT_MS = 1000

/** One start of the server: one process group. */
interface Run {
  child: ChildProcess
  pid: number
  number: number
  alive: boolean
  ready: boolean
  /** Set before faultline itself ends the run, so the exit is not reported as unexpected. */
  ending?: Exclude<ExitReason, 'unexpected'>
  lastProbe: string
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  closed: Promise<void>
  logMatched: Promise<void>
  unexpectedExit: Promise<ServerError>
  reportUnexpected: (error: ServerError) => void
}

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
  private run?: Run
  private currentState: SupervisorState = 'idle'
  private starts = 0
  private setupDone = false
  private stopping?: Promise<void>
  private readonly settling = new WeakMap<Run, Promise<{exit: ServerExit; survived: boolean}>>()
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
        await this.waitPortReleased(this.run)
      }
      await this.checkPortFree()
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

  /**
   * Before a restart: wait (bounded) until the previous server's port no longer accepts
   * connections. Its process group is gone by now, but the listening socket may outlive it a
   * little: held by a process that left the group, or still being torn down by the kernel.
   * If it stays taken for `portReleaseTimeoutMs`, the start fails with FL_PORT_TAKEN.
   */
  private async waitPortReleased(previous: Run): Promise<void> {
    const address = probeAddress(this.spec.ready)
    if (address === undefined || !(await isAddressServed(address.host, address.port))) return
    const waitingSince = performance.now()
    this.log.marker(
      `port ${address.host}:${address.port} still accepts connections after pid ${previous.pid} and its group are gone; ` +
        `waiting up to ${this.portReleaseTimeoutMs} ms for it to be released`,
    )
    const released = await waitAddressReleased(address.host, address.port, {
      timeoutMs: this.portReleaseTimeoutMs,
      intervalMs: this.probeIntervalMs,
      signal: this.signal,
    })
    if (!released) {
      throw new ServerError(
        'FL_PORT_TAKEN',
        `port ${address.host}:${address.port} was still in use ${this.portReleaseTimeoutMs} ms after the previous server ` +
          `(pid ${previous.pid}) and its process group were gone: a process that left the group, or another program, ` +
          `holds it; stop it or choose another port (the server \`${this.spec.command}\` was not restarted).`,
        {file: this.log.path, tail: []},
      )
    }
    this.log.marker(`port ${address.host}:${address.port} released after ${Math.round(performance.now() - waitingSince)} ms`)
  }

  private async checkPortFree(): Promise<void> {
    const address = probeAddress(this.spec.ready)
    if (address === undefined) return
    if (await isAddressServed(address.host, address.port)) {
      throw new ServerError(
        'FL_PORT_TAKEN',
        `port ${address.host}:${address.port} is already in use by another process; stop it or choose another port ` +
          `(the server \`${this.spec.command}\` was not started).`,
        {file: this.log.path, tail: []},
      )
    }
  }

  private async spawnRun(): Promise<Run> {
    const {command, cwd} = this.spec
    if (cwd !== undefined && !existsSync(cwd)) {
      throw new ServerError(
        'FL_SERVER_START',
        `cannot start the server \`${command}\`: its working directory ${cwd} does not exist.`,
        {file: this.log.path, tail: []},
      )
    }
    this.log.open()
    this.log.resetTail()
    const child = spawn(command, {
      shell: true,
      detached: true,
      cwd,
      env: {...process.env, ...this.spec.env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    if (child.pid === undefined) {
      const [error] = (await once(child, 'error')) as [NodeJS.ErrnoException]
      this.log.marker(`could not start \`${command}\`: ${error.message}`)
      throw new ServerError(
        'FL_SERVER_START',
        `cannot start the server \`${command}\`: ${error.message}.`,
        {file: this.log.path, tail: []},
        {cause: error},
      )
    }
    const pid = child.pid
    this.reaper?.track(pid)
    this.starts += 1
    this.log.marker(`start #${this.starts} of \`${command}\` (pid ${pid}${cwd ? `, cwd ${cwd}` : ''})`)
    this.record('started', {pid, start: this.starts, command})

    let reportUnexpected: (error: ServerError) => void = () => {}
    const unexpectedExit = new Promise<ServerError>((resolve) => {
      reportUnexpected = resolve
    })
    let matched: () => void = () => {}
    const logMatched = new Promise<void>((resolve) => {
      matched = resolve
    })
    const probe = this.spec.ready
    const onLine =
      probe.kind === 'log'
        ? (line: string): void => {
            if (line.search(probe.pattern) >= 0) matched()
          }
        : undefined
    if (child.stdout) this.log.attach(child.stdout, onLine)
    if (child.stderr) this.log.attach(child.stderr, onLine)
    // Errors after a successful spawn (a failed kill) change nothing: exit is what counts.
    child.on('error', () => {})

    const run: Run = {
      child,
      pid,
      number: this.starts,
      alive: true,
      ready: false,
      lastProbe: 'no attempt finished yet',
      exited: new Promise((resolve) =>
        child.once('exit', (code, signal) => resolve({code, signal: signal as NodeJS.Signals | null})),
      ),
      closed: new Promise((resolve) => child.once('close', () => resolve())),
      logMatched,
      unexpectedExit,
      reportUnexpected,
    }
    this.run = run
    void run.exited.then(({code, signal}) => this.onExit(run, code, signal))
    return run
  }

  private async waitReady(run: Run): Promise<{readyMs: number}> {
    const startedAt = performance.now()
    const {startupTimeoutMs, ready: probe} = this.spec
    const done = new AbortController()
    const aborted = this.signal
      ? new Promise<'abort'>((resolve) => {
          if (this.signal?.aborted) resolve('abort')
          this.signal?.addEventListener('abort', () => resolve('abort'), {once: true, signal: done.signal})
        })
      : new Promise<'abort'>(() => {})
    const outcome = await Promise.race([
      this.probeUntilReady(run, startedAt + startupTimeoutMs, done.signal).then(() => 'ready' as const),
      run.exited.then(() => 'exit' as const),
      sleep(startupTimeoutMs, 'timeout' as const, {signal: done.signal}),
      aborted,
    ]).finally(() => done.abort())

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

  private async probeUntilReady(run: Run, deadline: number, signal: AbortSignal): Promise<void> {
    const probe = this.spec.ready
    if (probe.kind === 'log') return run.logMatched
    for (;;) {
      const budget = Math.min(PROBE_ATTEMPT_MS, Math.max(1, deadline - performance.now()))
      const attempt = await probeOnce(probe, budget, signal)
      if (attempt.ready) return
      if (!signal.aborted) run.lastProbe = attempt.detail
      await sleep(this.probeIntervalMs, undefined, {signal})
    }
  }

  /** The leader exited: write the marker, kill what is left of its group, report an unexpected exit. */
  private async onExit(run: Run, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
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

  /**
   * Wait until the run's leader exited, its group is gone and its pipes drained;
   * then write the exit marker (once) and stop tracking the group. Never rejects;
   * throws FL_SERVER_STOP only if the group survived SIGKILL.
   */
  private async reap(run: Run): Promise<ServerExit> {
    const {exit, survived} = await this.settle(run)
    if (survived) {
      throw new ServerError(
        'FL_SERVER_STOP',
        `process group ${run.pid} of the server \`${this.spec.command}\` survived SIGKILL for ${KILL_WAIT_MS} ms.`,
        {file: this.log.path, tail: exit.logTail},
        {exit},
      )
    }
    return exit
  }

  private settle(run: Run): Promise<{exit: ServerExit; survived: boolean}> {
    let pending = this.settling.get(run)
    if (pending === undefined) {
      pending = this.doSettle(run)
      this.settling.set(run, pending)
    }
    return pending
  }

  private async doSettle(run: Run): Promise<{exit: ServerExit; survived: boolean}> {
    const {code, signal} = await run.exited
    let gone = await waitGroupGone(run.pid, KILL_WAIT_MS)
    if (!gone) {
      signalGroup(run.pid, 'SIGKILL')
      gone = await waitGroupGone(run.pid, KILL_WAIT_MS)
    }
    // A survivor stays tracked: the reaper tries again when the run ends.
    if (gone) this.reaper?.untrack(run.pid)
    const giveUp = new AbortController()
    const drained = await Promise.race([
      run.closed.then(() => true),
      sleep(DRAIN_WAIT_MS, false, {signal: giveUp.signal}),
    ]).finally(() => giveUp.abort()) // no timer outlives the wait
    if (!drained) {
      // A descendant that left the group (setsid) still holds the pipes: stop reading them.
      run.child.stdout?.destroy()
      run.child.stderr?.destroy()
    }
    const reason: ExitReason = run.ending ?? 'unexpected'
    this.log.marker(
      `pid ${run.pid} ${describeExit(code, signal)} (${reason === 'unexpected' ? 'on its own' : reason})`,
    )
    return {exit: {pid: run.pid, code, signal, reason, logTail: this.log.tail()}, survived: !gone}
  }

  private kill(run: Run, signal: 'SIGKILL' | 'SIGTERM', why: string): void {
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
