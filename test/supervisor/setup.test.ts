import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {EventLog, type ProxyEvent} from '../../src/events/event-log.js'
import {findFreePort, ProcessReaper, ServerError, ServerSupervisor, type ServerSpec, type SupervisorOptions} from '../../src/supervisor/index.js'
import {serverCommand, tempDir, waitFor} from './helpers.js'

let dir: string
let cleanup: () => void
let supervisors: ServerSupervisor[]
let seen: ProxyEvent[]
let events: EventLog
let reaper: ProcessReaper

beforeEach(() => {
  ;({dir, cleanup} = tempDir())
  supervisors = []
  events = new EventLog()
  seen = []
  events.on('event', (event) => seen.push(event))
  reaper = new ProcessReaper()
})

afterEach(async () => {
  await Promise.all(supervisors.map((supervisor) => supervisor.stop()))
  expect(reaper.tracked()).toEqual([])
  cleanup()
})

async function supervise(spec: Partial<ServerSpec>, options: SupervisorOptions = {}) {
  const port = await findFreePort()
  const supervisor = new ServerSupervisor(
    {
      command: serverCommand('http-server.mjs', '--port', port),
      ready: {kind: 'http', url: `http://127.0.0.1:${port}/`},
      startupTimeoutMs: 20_000,
      logFile: join(dir, 'server.log'),
      cwd: dir,
      ...spec,
    },
    {events, reaper, ...options},
  )
  supervisors.push(supervisor)
  return supervisor
}

const actions = (): string[] => seen.filter((e) => e.type === 'supervisor').map((e) => String(e.detail?.action))

async function failure(promise: Promise<unknown>): Promise<ServerError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(ServerError)
  return error as ServerError
}

describe('ServerSupervisor setup command', () => {
  it('runs once, in the command’s directory, before the first start and never on a restart', async () => {
    const supervisor = await supervise({setup: 'echo "seeding accounts"; pwd >> setup-runs.txt'})
    await supervisor.start()
    await supervisor.crashAndRestart()
    await supervisor.crashAndRestart()

    expect(readFileSync(join(dir, 'setup-runs.txt'), 'utf8')).toBe(`${dir}\n`)
    expect(actions()).toEqual(['setup', 'started', 'ready', 'killed', 'exited', 'started', 'ready', 'killed', 'exited', 'started', 'ready'])
    const log = readFileSync(supervisor.logFile, 'utf8')
    expect(log.match(/^seeding accounts$/gm)).toHaveLength(1)
    expect(log).toMatch(/==> faultline .*: setup: `echo "seeding accounts"; pwd >> setup-runs\.txt`\n/)
    expect(log).toMatch(/==> faultline .*: setup pid \d+ exited with code 0 after \d+ ms\n/)
    expect(log.indexOf('seeding accounts')).toBeLessThan(log.indexOf('start #1 of'))
  })

  it('gets the server’s environment', async () => {
    const supervisor = await supervise({setup: 'echo "seed=$SEED_NAME" > seed.txt', env: {SEED_NAME: 'demo'}})
    await supervisor.start()
    expect(readFileSync(join(dir, 'seed.txt'), 'utf8')).toBe('seed=demo\n')
  })

  it('a failing setup fails the start with FL_SERVER_SETUP (exit 3) and its output; nothing is started', async () => {
    const supervisor = await supervise({setup: 'echo "restoring snapshot"; echo "error: snapshot.tar not found" >&2; exit 5'})
    const error = await failure(supervisor.start())
    expect(error.code).toBe('FL_SERVER_SETUP')
    expect(error.exitCode).toBe(3)
    expect(error.message).toContain('the setup command `echo "restoring snapshot";')
    expect(error.message).toContain('exited with code 5. The server was not started.')
    // Two streams: their relative order is not defined.
    expect([...error.logTail].sort()).toEqual(['error: snapshot.tar not found', 'restoring snapshot'])
    expect(error.message).toContain('  | error: snapshot.tar not found')
    expect(actions()).toEqual([])
    expect(supervisor.startCount).toBe(0)
    expect(supervisor.state).toBe('idle')
  })

  it('a setup that does not finish within startupTimeout is killed, with whatever it started', async () => {
    const supervisor = await supervise({setup: 'echo "waiting for the seed database"; sleep 600 & wait', startupTimeoutMs: 300})
    const error = await failure(supervisor.start())
    expect(error.code).toBe('FL_SERVER_SETUP')
    expect(error.message).toContain('did not finish within 300 ms and was killed')
    // Its group is gone, the backgrounded sleep included (afterEach: nothing left tracked).
    expect(readFileSync(supervisor.logFile, 'utf8')).toMatch(/setup pid \d+ was killed by SIGKILL/)
  })

  it('aborting the run while the setup runs kills it and rejects the start with the reason', async () => {
    const controller = new AbortController()
    const supervisor = await supervise({setup: 'echo "copying seed"; sleep 600 & wait'}, {signal: controller.signal})
    const starting = supervisor.start()
    const logFile = supervisor.logFile
    await waitFor(() => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('copying seed'), 'the setup to run')
    controller.abort(new Error('run interrupted'))
    await expect(starting).rejects.toThrow('run interrupted')
    expect(actions()).toEqual([])
  })
})
