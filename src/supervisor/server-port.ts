import {waitAddressReleased} from './port-release.js'
import {isAddressServed, probeAddress, type ReadyProbe} from './ready-probe.js'
import {ServerError} from './server-error.js'
import type {ServerLog} from './server-log.js'

/** Before a first start: FL_PORT_TAKEN when the ready probe's address already answers. */
export async function assertPortFree(probe: ReadyProbe, command: string, log: ServerLog): Promise<void> {
  const address = probeAddress(probe)
  if (address === undefined) return
  if (await isAddressServed(address.host, address.port)) {
    throw new ServerError(
      'FL_PORT_TAKEN',
      `port ${address.host}:${address.port} is already in use by another process; stop it or choose another port ` +
        `(the server \`${command}\` was not started).`,
      {file: log.path, tail: []},
    )
  }
}

export interface PortReleaseWait {
  probe: ReadyProbe
  command: string
  /** The pid of the previous server, named in the log and the error. */
  previousPid: number
  log: ServerLog
  timeoutMs: number
  intervalMs: number
  signal?: AbortSignal
}

/**
 * Before a restart: wait (bounded) until the previous server's port no longer accepts
 * connections. Its process group is gone by now, but the listening socket may outlive it a
 * little: held by a process that left the group, or still being torn down by the kernel.
 * If it stays taken for `timeoutMs`, the start fails with FL_PORT_TAKEN.
 */
export async function waitPreviousPortReleased(wait: PortReleaseWait): Promise<void> {
  const {log, timeoutMs, previousPid} = wait
  const address = probeAddress(wait.probe)
  if (address === undefined || !(await isAddressServed(address.host, address.port))) return
  const waitingSince = performance.now()
  log.marker(
    `port ${address.host}:${address.port} still accepts connections after pid ${previousPid} and its group are gone; ` +
      `waiting up to ${timeoutMs} ms for it to be released`,
  )
  const released = await waitAddressReleased(address.host, address.port, {
    timeoutMs,
    intervalMs: wait.intervalMs,
    signal: wait.signal,
  })
  if (!released) {
    throw new ServerError(
      'FL_PORT_TAKEN',
      `port ${address.host}:${address.port} was still in use ${timeoutMs} ms after the previous server ` +
        `(pid ${previousPid}) and its process group were gone: a process that left the group, or another program, ` +
        `holds it; stop it or choose another port (the server \`${wait.command}\` was not restarted).`,
      {file: log.path, tail: []},
    )
  }
  log.marker(`port ${address.host}:${address.port} released after ${Math.round(performance.now() - waitingSince)} ms`)
}
