import {createServer} from 'node:net'

/**
 * A port that was free a moment ago on `host`: listen on port 0, read the port the
 * kernel chose, close. Another process may still take it before the caller does;
 * that race is reported as FL_PORT_TAKEN when the server is started.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen({host, port: 0, exclusive: true}, () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : undefined
      server.close((error) => {
        if (error) reject(error)
        else if (port === undefined) reject(new Error(`could not read the port chosen on ${host}`))
        else resolve(port)
      })
    })
  })
}
