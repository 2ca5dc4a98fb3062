import net from 'node:net'
import type {EventLog, ProxyEvent} from '../../src/events/event-log.js'

/** Everything a test opened, closed in afterEach. */
export class Resources {
  private readonly closers: Array<() => Promise<void> | void> = []

  add(close: () => Promise<void> | void): void {
    this.closers.push(close)
  }

  server(server: net.Server): net.Server {
    const sockets = new Set<net.Socket>()
    server.on('connection', (s) => {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
    })
    this.add(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy()
          server.close(() => resolve())
        }),
    )
    return server
  }

  socket(socket: net.Socket): net.Socket {
    this.add(() => void socket.destroy())
    return socket
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close()
  }
}

export async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as net.AddressInfo).port
}

/** An echo server that also echoes half-close: on the client's end it ends too. */
export function echoServer(): net.Server {
  return net.createServer({allowHalfOpen: true}, (s) => {
    s.on('data', (d) => s.write(d))
    s.on('end', () => s.end())
    s.on('error', () => {})
  })
}

/** A server that writes `payload` to every client, then ends (unless keepOpen). */
export function sendingServer(payload: Buffer, keepOpen = false): net.Server {
  return net.createServer({allowHalfOpen: true}, (s) => {
    s.on('error', () => {})
    s.resume()
    if (keepOpen) s.write(payload)
    else s.end(payload)
  })
}

export async function connect(port: number, resources: Resources): Promise<net.Socket> {
  const socket = resources.socket(net.connect({port, host: '127.0.0.1'}))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  return socket
}

export interface Received {
  data: Buffer
  chunks: number
  /** performance.now() of the first data and of the end / close. */
  firstAt?: number
  endAt?: number
  closeAt: number
  error?: NodeJS.ErrnoException
}

/** Collect everything a socket receives until it closes. */
export function collect(socket: net.Socket): Promise<Received> {
  return new Promise((resolve) => {
    const parts: Buffer[] = []
    const out: Partial<Received> = {chunks: 0}
    socket.on('data', (d: Buffer) => {
      out.firstAt ??= performance.now()
      out.chunks = (out.chunks ?? 0) + 1
      parts.push(d)
    })
    socket.on('end', () => (out.endAt = performance.now()))
    socket.on('error', (err) => (out.error = err))
    socket.on('close', () =>
      resolve({...out, data: Buffer.concat(parts), closeAt: performance.now()} as Received),
    )
  })
}

export function nextData(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve) => socket.once('data', resolve))
}

export function waitForEvent(events: EventLog, match: (e: ProxyEvent) => boolean): Promise<ProxyEvent> {
  return new Promise((resolve) => {
    const on = (e: ProxyEvent) => {
      if (!match(e)) return
      events.off('event', on)
      resolve(e)
    }
    events.on('event', on)
  })
}

/** Bytes 0..n-1 of a recognisable pattern (a running uint32 counter). */
export function pattern(n: number): Buffer {
  const b = Buffer.alloc(Math.ceil(n / 4) * 4)
  for (let i = 0; i < b.length / 4; i++) b.writeUInt32BE(i, i * 4)
  return b.subarray(0, n)
}

/** Wait until `condition()` holds, checking every few ms; fails after `ms`. */
export async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}
