import {connect} from 'node:net'
import {isAbsolute, resolve} from 'node:path'
import {EnvironmentError} from '../errors.js'
import type {EventLog} from '../events/event-log.js'
import {renderTemplate} from '../scenario/template.js'
import type {Scenario, ServerBlock} from '../scenario/types.js'
import {findFreePort} from '../supervisor/free-port.js'
import type {ReadyProbe} from '../supervisor/ready-probe.js'
import type {ProcessReaper} from '../supervisor/reaper.js'
import {ServerSupervisor} from '../supervisor/supervisor.js'

/** The server under test as the check sees it: where it is, and (when faultline runs it) control. */
export interface TargetServer {
  url: string
  /** The port chosen for {{port}}, when the scenario uses it. */
  port?: number
  /** Only servers faultline started can be crashed and restarted. */
  canCrash: boolean
  logFile?: string
  /** SIGKILL and restart; resolves with kill → ready milliseconds. */
  crashAndRestart(): Promise<number>
  /** SIGKILL only (a replica that fails over); `restart` brings it back. */
  crash(): Promise<void>
  restart(): Promise<void>
  /**
   * Resolves with a ServerError (exit 3, quoting the log tail) once the server exits on
   * its own after it became ready — after any crash restart too. Never rejects.
   */
  lost: Promise<Error>
  /** True from the moment the server exited on its own; `lost` resolves once its log drained. */
  readonly exited: boolean
  /** False while the server is down: crashed and not ready again, exited, or stopped. */
  readonly up: boolean
  stop(): Promise<void>
}

export interface TargetServerOptions {
  events: EventLog
  logFile: string
  /** The run's directory, for {{runDir}} in target.server. */
  runDir: string
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  reaper?: ProcessReaper
  /** A replica of target.replicas: its own url and server instead of the target's, on a port chosen beforehand. */
  replica?: {url: string; server: ServerBlock; port?: number; replicationUrl: string}
}

/**
 * Resolve the scenario's target: pick the {{port}}, start `target.server` when there is one
 * and wait until it is ready, or else make sure something answers at `target.url`.
 */
export async function startTargetServer(scenario: Scenario, options: TargetServerOptions): Promise<TargetServer> {
  const target = options.replica ?? scenario.target
  const env = options.env ?? process.env
  const usesPort = JSON.stringify(target).includes('{{port}}')
  const port = options.replica ? options.replica.port : usesPort ? await findFreePort('127.0.0.1') : undefined
  const vars = {env, port, runDir: options.runDir, replicationUrl: options.replica?.replicationUrl}
  const url = renderTemplate(target.url, vars) as string
  if (!target.server) {
    await ensureReachable(url)
    return {
      url,
      port,
      canCrash: false,
      crashAndRestart: () => Promise.reject(new Error('crash faults need target.server in the scenario')),
      crash: () => Promise.reject(new Error('crash faults need target.server in the scenario')),
      restart: () => Promise.reject(new Error('crash faults need target.server in the scenario')),
      lost: new Promise<Error>(() => {}),
      exited: false,
      up: true,
      stop: async () => undefined,
    }
  }
  const server = target.server
  const parsed = new URL(url)
  const ready: ReadyProbe =
    server.ready.kind === 'http'
      ? {kind: 'http', url: new URL(server.ready.path, parsed.origin).href}
      : server.ready.kind === 'tcp'
        ? {kind: 'tcp', host: parsed.hostname, port: Number(parsed.port || 80)}
        : {kind: 'log', pattern: new RegExp(server.ready.pattern)}
  const cwd = server.cwd === undefined ? process.cwd() : isAbsolute(server.cwd) ? server.cwd : resolve(scenario.dir, server.cwd)
  const supervisor = new ServerSupervisor(
    {
      setup: server.setup === undefined ? undefined : (renderTemplate(server.setup, vars) as string),
      command: renderTemplate(server.command, vars) as string,
      cwd,
      env: renderTemplate(server.env, vars) as Record<string, string>,
      ready,
      startupTimeoutMs: server.startupTimeout,
      logFile: options.logFile,
    },
    {events: options.events, signal: options.signal, reaper: options.reaper},
  )
  await supervisor.start()
  return {
    url,
    port,
    canCrash: true,
    logFile: supervisor.logFile,
    crashAndRestart: async () => (await supervisor.crashAndRestart()).killToReadyMs,
    crash: async () => {
      await supervisor.crash()
    },
    restart: async () => {
      await supervisor.restart()
    },
    // The event, not supervisor.unexpectedExit(): that promise belongs to one start, and
    // every crash restart is a new start.
    lost: new Promise<Error>((resolveLost) => supervisor.once('unexpected-exit', resolveLost)),
    get exited() {
      return supervisor.state === 'exited'
    },
    get up() {
      return supervisor.state === 'ready'
    },
    stop: () => supervisor.stop(),
  }
}

function ensureReachable(url: string): Promise<void> {
  const parsed = new URL(url)
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = Number(parsed.port || 80)
  return new Promise((resolvePromise, reject) => {
    const socket = connect({host, port})
    socket.setTimeout(3000)
    socket.once('connect', () => {
      socket.destroy()
      resolvePromise()
    })
    const fail = (why: string) => {
      socket.destroy()
      reject(new EnvironmentError('FL_TARGET_DOWN', `nothing answers at ${url} (${why}); start the server first, or add target.server so faultline starts it`))
    }
    socket.once('timeout', () => fail('connect timed out'))
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message))
  })
}
