import type {AddressInfo, Server} from 'node:net'
import {EnvironmentError} from '../errors.js'

/**
 * Bind a proxy's listener. A taken port is an environment failure (exit 3) that says what
 * to do; any other bind failure keeps the system's reason. Binds to loopback by default:
 * callers pass the host the user asked for.
 */
export function listenOn(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening)
      reject(
        err.code === 'EADDRINUSE'
          ? new EnvironmentError('FL_PORT_TAKEN', `cannot listen on ${host}:${port}: the port is already in use; choose another with --listen`)
          : new EnvironmentError('FL_LISTEN', `cannot listen on ${host}:${port}: ${err.message}`),
      )
    }
    const onListening = () => {
      server.off('error', onError)
      resolve(server.address() as AddressInfo)
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}
