import {readFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {
  findFreePort,
  ProcessReaper,
  ServerError,
  ServerSupervisor,
  type ServerSpec,
  type SupervisorOptions,
} from '../../src/supervisor/index.js'
import {canListen, get, getJson, isDead, serverCommand, tempDir, waitFor, zombieLeaderScript, type ServedBy} from './helpers.js'

let dir: string
let cleanup: () => void
let supervisors: ServerSupervisor[]
let events: EventLog
let seen: ProxyEvent[]
let reaper: ProcessReaper

beforeEach(() => {
  ;({dir, cleanup} = tempDir())
  supervisors = []
  events = new EventLog()
  seen = []
  events.on('event', (event) => seen.push(event))
  // Tracks groups without touching this process's signal handlers.
  reaper = new ProcessReaper()
})

afterEach(async () => {
  await Promise.all(supervisors.map((supervisor) => supervisor.stop()))
  expect(reaper.tracked()).toEqual([])
  cleanup()
})

function supervise(spec: Omit<ServerSpec, 'logFile'> & {logFile?: string}, options: SupervisorOptions = {}) {
  const supervisor = new ServerSupervisor(
    {logFile: join(dir, 'logs', 'server.log'), ...spec},
    {events, reaper, ...options},
  )
  supervisors.push(supervisor)
  return supervisor
}

function actions(): string[] {
  return seen.filter((event) => event.type === 'supervisor').map((event) => String(event.detail?.action))
}

function startedPid(): number {
  const started = seen.find((event) => event.detail?.action === 'started')
  expect(started).toBeDefined()
  return started?.detail?.pid as number
}

async function failure(promise: Promise<unknown>): Promise<ServerError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(ServerError)
  return error as ServerError
}

describe('ServerSupervisor start and ready probes', () => {
  it('starts an HTTP server, waits for the http probe, logs stdout and stderr, stops it', async () => {
    const port = await findFreePort()
    const supervisor = supervise({
      command: serverCommand('http-server.mjs', '--port', port),
      ready: {kind: 'http', url: `http://127.0.0.1:${port}/`},
      startupTimeoutMs: 20_000,
    })
    const {readyMs} = await supervisor.start()
    expect(Number.isFinite(readyMs) && readyMs >= 0).toBe(true)
    expect(supervisor.state).toBe('ready')
    const leader = supervisor.pid as number
    expect(leader).toBeGreaterThan(0)
    expect(reaper.tracked()).toEqual([leader])

    const served = await getJson<ServedBy>(`http://127.0.0.1:${port}/`)
    expect(served.port).toBe(port)
    expect(actions()).toEqual(['started', 'ready'])

    await supervisor.stop()
    expect(supervisor.state).toBe('stopped')
    expect(supervisor.pid).toBeUndefined()
    expect(isDead(leader)).toBe(true)
    expect(isDead(served.pid)).toBe(true)
    expect(await canListen(port)).toBe(true)
    expect(reaper.tracked()).toEqual([])
    await supervisor.stop() // idempotent

    const log = readFileSync(supervisor.logFile, 'utf8')
    expect(log).toMatch(/==> faultline .*: start #1 of `.*http-server\.mjs.*` \(pid \d+\)/)
    expect(log).toContain(`stderr: http-server ${served.pid} booting`)
    expect(log).toContain(`stdout: http-server ${served.pid} listening on ${port}`)
    expect(log).toMatch(/pid \d+ (exited with code|was killed by SIGTERM).* \(stop\)/)
    expect(actions()).toEqual(['started', 'ready', 'killed', 'exited', 'stopped'])
  })

  it('waits for a tcp probe', async () => {
    const port = await findFreePort()
    const supervisor = supervise({
      command: serverCommand('tcp-server.mjs', '--port', port),
      ready: {kind: 'tcp', host: '127.0.0.1', port},
      startupTimeoutMs: 20_000,
    })
    await supervisor.start()
    expect(await canListen(port)).toBe(false)
    await supervisor.stop()
    expect(await canListen(port)).toBe(true)
  })

  it('waits for a log probe: ready only after the matching line was written', async () => {
    const supervisor = supervise({
      command: serverCommand('log-ready.mjs'),
      ready: {kind: 'log', pattern: /READY pid=\d+/},
      startupTimeoutMs: 20_000,
    })
    await supervisor.start()
    const log = readFileSync(supervisor.logFile, 'utf8')
    const line = log.indexOf('Server READY pid=')
    expect(log.indexOf('warming up caches')).toBeGreaterThan(-1)
    expect(log.indexOf('still warming up')).toBeGreaterThan(-1)
    expect(line).toBeGreaterThan(log.indexOf('still warming up'))
    expect(log.indexOf('is ready after')).toBeGreaterThan(line)
  })

  it('escalates stop() to SIGKILL when the server ignores SIGTERM', async () => {
    const port = await findFreePort()
    const supervisor = supervise({
      command: serverCommand('ignores-sigterm.mjs', '--port', port),
      ready: {kind: 'http', url: `http://127.0.0.1:${port}/`},
      startupTimeoutMs: 20_000,
      stopTimeoutMs: 300,
    })
    await supervisor.start()
    const leader = supervisor.pid as number
    // First show that it ignores SIGTERM, on its own time: a loaded machine may take longer
    // than stopTimeoutMs to run its handler.
    const served = await getJson<ServedBy>(`http://127.0.0.1:${port}/`)
    process.kill(served.pid, 'SIGTERM')
    await waitFor(() => readFileSync(supervisor.logFile, 'utf8').includes('got SIGTERM, ignoring it'), 'the server to log SIGTERM')
    expect(isDead(served.pid)).toBe(false)

    await supervisor.stop()
    expect(isDead(leader)).toBe(true)
    expect(isDead(served.pid)).toBe(true)
    expect(await canListen(port)).toBe(true)
    const kills = seen.filter((event) => event.detail?.action === 'killed').map((event) => event.detail)
    expect(kills.map((kill) => kill?.signal)).toEqual(['SIGTERM', 'SIGKILL'])
    expect(kills[1]?.why).toBe('stop-timeout')
  })
})

describe('ServerSupervisor crash and restart', () => {
  it('crash() SIGKILLs the whole process group, grandchild included, and frees the port', async () => {
    const port = await findFreePort()
    const supervisor = supervise({
      command: serverCommand('with-grandchild.mjs', '--port', port),
      ready: {kind: 'http', url: `http://127.0.0.1:${port}/`},
      startupTimeoutMs: 20_000,
    })
    let unexpected = 0
    supervisor.on('unexpected-exit', () => (unexpected += 1))
    await supervisor.start()
    const leader = supervisor.pid as number
    const grandchild = await getJson<ServedBy>(`http://127.0.0.1:${port}/`)
    expect(grandchild.pid).not.toBe(leader)
    expect(isDead(grandchild.pid)).toBe(false)

    expect(await supervisor.crash()).toBe(true)
    expect(supervisor.state).toBe('crashed')
    expect(supervisor.pid).toBeUndefined()
    for (const pid of [leader, grandchild.ppid, grandchild.pid]) expect(isDead(pid), `pid ${pid}`).toBe(true)
    expect(await canListen(port)).toBe(true)
    expect(reaper.tracked()).toEqual([])
    const killed = seen.find((event) => event.detail?.action === 'killed')
    expect(killed?.detail).toMatchObject({pid: leader, signal: 'SIGKILL', why: 'crash'})
    expect(seen.find((event) => event.detail?.action === 'exited')?.detail).toMatchObject({
      reason: 'crash',
      expected: true,
    })
    expect(unexpected).toBe(0)
    expect(await supervisor.crash()).toBe(false) // nothing left to crash
  })

  it('crashAndRestart() brings a new process up, reports kill→ready time, and the log spans both starts', async () => {
    const port = await findFreePort()
    const supervisor = supervise({
      command: serverCommand('with-grandchild.mjs', '--port', port),
      ready: {kind: 'http', url: `http://127.0.0.1:${port}/`},
      startupTimeoutMs: 20_000,
    })
    await supervisor.start()
    const first = await getJson<ServedBy>(`http://127.0.0.1:${port}/`)
    const firstLeader = supervisor.pid as number

    const {killToReadyMs, readyMs} = await supervisor.crashAndRestart()
    expect(Number.isFinite(killToReadyMs)).toBe(true)
    expect(killToReadyMs).toBeGreaterThanOrEqual(readyMs)
    expect(supervisor.state).toBe('ready')
    expect(supervisor.startCount).toBe(2)

    const second = await getJson<ServedBy>(`http://127.0.0.1:${port}/`)
    expect(second.pid).not.toBe(first.pid)
    expect(supervisor.pid).not.toBe(firstLeader)
    expect(isDead(first.pid)).toBe(true)
    expect(isDead(firstLeader)).toBe(true)

    const log = readFileSync(supervisor.logFile, 'utf8')
    const start1 = log.indexOf('start #1 of')
    const killMarker = log.indexOf(`pid ${firstLeader} was killed by SIGKILL (crash)`)
    const start2 = log.indexOf('start #2 of')
    expect(start1).toBeGreaterThan(-1)
    expect(killMarker).toBeGreaterThan(start1)
    expect(start2).toBeGreaterThan(killMarker)
    expect(log.indexOf(`http-server ${first.pid} listening`)).toBeGreaterThan(start1)
    expect(log.indexOf(`http-server ${first.pid} listening`)).toBeLessThan(killMarker)
    expect(log.indexOf(`http-server ${second.pid} listening`)).toBeGreaterThan(start2)
    expect(actions()).toEqual(['started', 'ready', 'killed', 'exited', 'started', 'ready'])
  })

  it('reports an exit it did not cause, with the exit code and the log tail', async () => {
    const port = await findFreePort()
    const supervisor = supervise({
      command: serverCommand('http-server.mjs', '--port', port),
      ready: {kind: 'http', url: `http://127.0.0.1:${port}/`},
      startupTimeoutMs: 20_000,
    })
    await supervisor.start()
    const viaEvent = new Promise<ServerError>((resolve) => supervisor.once('unexpected-exit', resolve))
    const viaPromise = supervisor.unexpectedExit()
    expect(await get(`http://127.0.0.1:${port}/exit`)).toBe(200)

    const error = await viaPromise
    expect(await viaEvent).toBe(error)
    expect(error).toBeInstanceOf(ServerError)
    expect(error.code).toBe('FL_SERVER_EXIT')
    expect(error.exitCode).toBe(3)
    expect(error.exit).toMatchObject({code: 7, signal: null, reason: 'unexpected'})
    expect(error.message).toContain('exited with code 7 unexpectedly')
    expect(error.message).toContain('exiting on request with code 7')
    expect(error.logTail).toContain('exiting on request with code 7')
    expect(supervisor.state).toBe('exited')
    expect(await canListen(port)).toBe(true)
    expect(seen.find((event) => event.detail?.action === 'exited')?.detail).toMatchObject({
      code: 7,
      expected: false,
      reason: 'unexpected',
    })

    // The run can go on: start it again.
    await supervisor.restart()
    expect(supervisor.state).toBe('ready')
  })
})

describe('ServerSupervisor restart: the previous server must be gone, every thread, and its port released', () => {
  let holder: Server | undefined
  const strays: number[] = []
  afterEach(async () => {
    // Safety net only: the tests assert these are dead already.
    for (const pid of strays.splice(0)) if (!isDead(pid)) process.kill(pid, 'SIGKILL')
    if (holder?.listening) await new Promise<void>((resolve) => holder?.close(() => resolve()))
    holder = undefined
  })

  it('a server whose main thread exited while a worker thread holds the port is not gone until that thread is', async () => {
    const port = await findFreePort()
    const supervisor = supervise({
      command: `python3 ${JSON.stringify(zombieLeaderScript)} --port ${port}`,
      ready: {kind: 'http', url: `http://127.0.0.1:${port}/`},
      startupTimeoutMs: 20_000,
      // It ignores SIGTERM: stop() must see it is still alive and SIGKILL it.
      stopTimeoutMs: 300,
    })
    await supervisor.start()
    const first = await getJson<ServedBy>(`http://127.0.0.1:${port}/`)
    strays.push(first.pid)

    await supervisor.stop()
    const kills = seen.filter((event) => event.detail?.action === 'killed').map((event) => event.detail)
    expect(kills.map((kill) => kill?.signal)).toEqual(['SIGTERM', 'SIGKILL'])
    expect(isDead(first.pid)).toBe(true)

    // Not FL_PORT_TAKEN: the old server is gone and its port free.
    await supervisor.restart()
    expect(supervisor.state).toBe('ready')
    const second = await getJson<ServedBy>(`http://127.0.0.1:${port}/`)
    strays.push(second.pid)
    expect(second.pid).not.toBe(first.pid)
  })

  it('after a crash, a port still held by someone outside the group is waited for, then the server restarts', async () => {
    const port = await findFreePort()
    const supervisor = supervise({
      command: serverCommand('http-server.mjs', '--port', port),
      ready: {kind: 'http', url: `http://127.0.0.1:${port}/`},
      startupTimeoutMs: 20_000,
    })
    await supervisor.start()
    expect(await supervisor.crash()).toBe(true)
    // A holder that lets go of the port as soon as the supervisor looks at it.
    const squatter = createServer((socket) => {
      socket.destroy()
      squatter.close()
    })
    holder = squatter
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve))

    await supervisor.restart()
    expect(supervisor.state).toBe('ready')
    expect((await getJson<ServedBy>(`http://127.0.0.1:${port}/`)).port).toBe(port)
    const log = readFileSync(supervisor.logFile, 'utf8')
    expect(log).toContain(`port 127.0.0.1:${port} still accepts connections after pid`)
    expect(log).toMatch(new RegExp(`port 127\\.0\\.0\\.1:${port} released after \\d+ ms`))
  })

  it('fails with FL_PORT_TAKEN when the port is not released within the bound', async () => {
    const port = await findFreePort()
    const supervisor = supervise(
      {
        command: serverCommand('http-server.mjs', '--port', port),
        ready: {kind: 'http', url: `http://127.0.0.1:${port}/`},
        startupTimeoutMs: 20_000,
      },
      {portReleaseTimeoutMs: 200},
    )
    await supervisor.start()
    const leader = supervisor.pid as number
    await supervisor.crash()
    const squatter = createServer((socket) => socket.destroy())
    holder = squatter
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve))

    const error = await failure(supervisor.restart())
    expect(error.code).toBe('FL_PORT_TAKEN')
    expect(error.exitCode).toBe(3)
    expect(error.message).toContain(
      `port 127.0.0.1:${port} was still in use 200 ms after the previous server (pid ${leader}) and its process group were gone`,
    )
    expect(supervisor.startCount).toBe(1)
  })
})

describe('ServerSupervisor environment errors', () => {
  it('a server that exits at start fails at once with FL_SERVER_EXIT and its log tail', async () => {
    const supervisor = supervise({
      command: serverCommand('fail-start.mjs'),
      ready: {kind: 'tcp', host: '127.0.0.1', port: await findFreePort()},
      // Far beyond the test's own timeout: only an immediate failure passes.
      startupTimeoutMs: 120_000,
    })
    const error = await failure(supervisor.start())
    expect(error.code).toBe('FL_SERVER_EXIT')
    expect(error.exitCode).toBe(3)
    expect(error.message).toContain('exited with code 1 before it became ready')
    expect(error.message).toContain('booting payments service')
    expect(error.message).toContain('Error: database unreachable at 127.0.0.1:1 (ECONNREFUSED)')
    expect(error.message).toContain(supervisor.logFile)
    expect(error.logTail).toEqual([
      'booting payments service',
      'Error: database unreachable at 127.0.0.1:1 (ECONNREFUSED)',
    ])
    expect(supervisor.state).toBe('exited')
    expect(isDead(startedPid())).toBe(true)
  })

  it('quotes only the last lines of a long log', async () => {
    const supervisor = supervise(
      {
        // One stream (2>&1): the order of lines read from two pipes is not defined.
        command: `{ ${serverCommand('fail-start.mjs')}; for i in 1 2 3 4 5; do echo "line $i"; done; } 2>&1; exit 4`,
        ready: {kind: 'log', pattern: /never/},
        startupTimeoutMs: 120_000,
      },
      {tailLines: 3},
    )
    const error = await failure(supervisor.start())
    expect(error.code).toBe('FL_SERVER_EXIT')
    expect(error.exit?.code).toBe(4)
    expect(error.logTail).toEqual(['line 3', 'line 4', 'line 5'])
    expect(error.message).not.toContain('booting payments service')
  })

  it('a command that does not exist fails with FL_SERVER_EXIT (127) and the shell’s complaint', async () => {
    const supervisor = supervise({
      command: 'faultline-no-such-command-xyz --port 1',
      ready: {kind: 'log', pattern: /ready/},
      startupTimeoutMs: 120_000,
    })
    const error = await failure(supervisor.start())
    expect(error.code).toBe('FL_SERVER_EXIT')
    expect(error.message).toContain('exited with code 127 (command not found)')
    expect(error.logTail.join('\n')).toContain('faultline-no-such-command-xyz')
  })

  it('a missing working directory fails with FL_SERVER_START before anything runs', async () => {
    const supervisor = supervise({
      command: serverCommand('http-server.mjs', '--port', 1),
      cwd: join(dir, 'does-not-exist'),
      ready: {kind: 'log', pattern: /ready/},
      startupTimeoutMs: 20_000,
    })
    const error = await failure(supervisor.start())
    expect(error.code).toBe('FL_SERVER_START')
    expect(error.exitCode).toBe(3)
    expect(error.message).toContain('does-not-exist does not exist')
    expect(actions()).toEqual([])
  })

  it('a server that never becomes ready fails with FL_SERVER_READY_TIMEOUT and is killed', async () => {
    const port = await findFreePort()
    const supervisor = supervise({
      // The shell's echo is in the log at once; Node itself may take a while to start on a loaded machine.
      command: `echo "waiting for a dependency that never comes"; ${serverCommand('never-ready.mjs')}`,
      ready: {kind: 'http', url: `http://127.0.0.1:${port}/health`},
      startupTimeoutMs: 1500,
    })
    const error = await failure(supervisor.start())
    expect(error.code).toBe('FL_SERVER_READY_TIMEOUT')
    expect(error.exitCode).toBe(3)
    expect(error.message).toContain('did not become ready within 1500 ms')
    expect(error.message).toContain(`HTTP GET http://127.0.0.1:${port}/health`)
    expect(error.message).toContain('last attempt: ECONNREFUSED')
    expect(error.message).toContain('waiting for a dependency that never comes')
    expect(error.exit?.reason).toBe('timeout')
    expect(isDead(startedPid())).toBe(true)
    expect(supervisor.state).toBe('exited')
  })

  describe('port already taken', () => {
    let squatter: Server
    let port: number
    beforeEach(async () => {
      squatter = createServer((socket) => socket.end())
      await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
      port = (squatter.address() as {port: number}).port
    })
    afterEach(() => new Promise<void>((resolve) => squatter.close(() => resolve())))

    for (const kind of ['http', 'tcp'] as const) {
      it(`fails with FL_PORT_TAKEN before spawning (${kind} probe)`, async () => {
        const supervisor = supervise({
          command: serverCommand('http-server.mjs', '--port', port),
          ready: kind === 'http' ? {kind, url: `http://127.0.0.1:${port}/`} : {kind, host: '127.0.0.1', port},
          startupTimeoutMs: 20_000,
        })
        const error = await failure(supervisor.start())
        expect(error.code).toBe('FL_PORT_TAKEN')
        expect(error.exitCode).toBe(3)
        expect(error.message).toContain(
          `port 127.0.0.1:${port} is already in use by another process; stop it or choose another port`,
        )
        expect(actions()).toEqual([])
        expect(supervisor.startCount).toBe(0)
        expect(supervisor.state).toBe('idle')
      })
    }
  })
})

describe('ServerSupervisor cancellation', () => {
  it('aborting the signal while waiting for ready kills the group and rejects start()', async () => {
    const controller = new AbortController()
    events.on('event', (event) => {
      if (event.detail?.action === 'started') controller.abort(new Error('run interrupted'))
    })
    const supervisor = supervise(
      {
        command: serverCommand('never-ready.mjs'),
        ready: {kind: 'tcp', host: '127.0.0.1', port: await findFreePort()},
        startupTimeoutMs: 120_000,
      },
      {signal: controller.signal},
    )
    await expect(supervisor.start()).rejects.toThrow('run interrupted')
    expect(isDead(startedPid())).toBe(true)
    expect(reaper.tracked()).toEqual([])
    await expect(supervisor.start()).rejects.toThrow('run interrupted')
  })
})
