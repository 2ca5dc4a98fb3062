import {request as httpRequest, type IncomingMessage} from 'node:http'
import {request as httpsRequest} from 'node:https'
import {connect} from 'node:net'

/** How faultline knows the server under test is ready to take requests. */
export type ReadyProbe =
  /** GET `url` until any HTTP response with a status below 500 arrives. */
  | {kind: 'http'; url: string}
  /** A TCP connection to host:port is accepted. */
  | {kind: 'tcp'; host: string; port: number}
  /** A line of the server's stdout or stderr matches `pattern`. */
  | {kind: 'log'; pattern: RegExp}

export interface ProbeAttempt {
  ready: boolean
  /** Why not ready (`ECONNREFUSED`, `HTTP 503`, `timeout`), or what answered. */
  detail: string
}

/** The host and port a network probe talks to, or undefined for a log probe. */
export function probeAddress(probe: ReadyProbe): {host: string; port: number} | undefined {
  if (probe.kind === 'tcp') return {host: probe.host, port: probe.port}
  if (probe.kind === 'http') {
    const url = new URL(probe.url)
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
    // URL keeps IPv6 hosts in brackets; sockets want them bare.
    return {host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port}
  }
  return undefined
}

/** One line of text saying what the probe waits for. */
export function describeProbe(probe: ReadyProbe): string {
  switch (probe.kind) {
    case 'http':
      return `HTTP GET ${probe.url} to answer with a status below 500`
    case 'tcp':
      return `a TCP connection to ${probe.host}:${probe.port} to be accepted`
    case 'log':
      return `a log line matching ${String(probe.pattern)}`
  }
}

/** One attempt of a network probe, bounded by `timeoutMs`. Never rejects. */
export function probeOnce(
  probe: Exclude<ReadyProbe, {kind: 'log'}>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeAttempt> {
  return probe.kind === 'http'
    ? httpAttempt(probe.url, timeoutMs, signal)
    : tcpAttempt(probe, timeoutMs, signal)
}

/**
 * True when something accepts TCP connections on host:port right now. A free port refuses at
 * once; the bound is generous because a loaded machine may run the timer before the answer.
 */
export async function isAddressServed(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return (await tcpAttempt({host, port}, timeoutMs)).ready
}

function httpAttempt(url: string, timeoutMs: number, signal?: AbortSignal): Promise<ProbeAttempt> {
  // AbortSignal.timeout and setTimeout want whole milliseconds.
  const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs)))
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout
  const request = new URL(url).protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'GET',
      agent: false, // a fresh connection per attempt, closed after: no pooled socket outlives the probe
      headers: {connection: 'close', 'user-agent': 'faultline-ready-probe'},
      signal: combined,
      // Any answer proves the server is up; certificate trust is not what is probed here.
      rejectUnauthorized: false,
    })
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0
      res.resume() // drain the body so the connection can close
      resolve({ready: status > 0 && status < 500, detail: `HTTP ${status}`})
    })
    req.on('error', (error: NodeJS.ErrnoException) => {
      resolve({ready: false, detail: timeout.aborted ? 'timeout' : (error.code ?? error.message)})
    })
    req.end()
  })
}

function tcpAttempt(
  address: {host: string; port: number},
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeAttempt> {
  return new Promise((resolve) => {
    const socket = connect({host: address.host, port: address.port})
    const finish = (result: ProbeAttempt): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      socket.destroy()
      resolve(result)
    }
    const onAbort = (): void => finish({ready: false, detail: 'aborted'})
    const timer = setTimeout(
      () => finish({ready: false, detail: 'timeout'}),
      Math.max(1, Math.ceil(timeoutMs)),
    )
    signal?.addEventListener('abort', onAbort, {once: true})
    if (signal?.aborted) onAbort()
    socket.once('connect', () => finish({ready: true, detail: 'connected'}))
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ready: false, detail: error.code ?? error.message}),
    )
  })
}
