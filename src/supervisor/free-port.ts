import {readFileSync} from 'node:fs'
import {createServer} from 'node:net'

/** Where ports chosen outside the kernel's own range start. */
const LOWEST = 10_000
/** Random tries below the kernel's range before leaving the choice to the kernel. */
const TRIES = 20

/**
 * A port that was free a moment ago on `host`, for a server faultline starts (and may kill
 * and restart on the same port). Where the kernel says which ports it hands out itself — to
 * `listen(0)` and to outgoing connections (Linux: /proc/sys/net/ipv4/ip_local_port_range) —
 * the port is drawn below that range, so while a crashed server is down no outgoing
 * connection of any process can take its port before the restart. Elsewhere, or when no
 * port there is free, the kernel chooses (listen on port 0). Another process may still take
 * the port before the caller does; that race is reported as FL_PORT_TAKEN when the server
 * is started.
 */
export async function findFreePort(host = '127.0.0.1', range = kernelPortRange()): Promise<number> {
  if (range && range[0] - LOWEST >= 1000) {
    for (let i = 0; i < TRIES; i++) {
      const candidate = LOWEST + Math.floor(Math.random() * (range[0] - LOWEST))
      const port = await listenOnce(host, candidate).catch(() => undefined)
      if (port !== undefined) return port
    }
  }
  return listenOnce(host, 0)
}

/** The kernel's own port range (Linux), or undefined where it cannot be read. */
export function kernelPortRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): [number, number] | undefined {
  try {
    const [low, high] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number)
    return low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high) && low <= high ? [low, high] : undefined
  } catch {
    return undefined
  }
}

/** Listen on `port` (0: the kernel chooses), read the port, close. */
function listenOnce(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen({host, port, exclusive: true}, () => {
      const address = server.address()
      const chosen = typeof address === 'object' && address !== null ? address.port : undefined
      server.close((error) => {
        if (error) reject(error)
        else if (chosen === undefined) reject(new Error(`could not read the port chosen on ${host}`))
        else resolve(chosen)
      })
    })
  })
}
