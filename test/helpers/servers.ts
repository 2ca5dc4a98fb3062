import http, {type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

/** A real HTTP server on 127.0.0.1 and a random port; `close` ends every connection. */
export async function startHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{url: string; port: number; server: http.Server; close: () => Promise<void>}> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** A counting echo server: each request increments `hits` and answers {n, method, path, body}. */
export async function startCountingServer() {
  const state = {hits: 0, hosts: [] as Array<string | undefined>}
  const srv = await startHttpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      state.hits += 1
      state.hosts.push(req.headers.host)
      const body = JSON.stringify({n: state.hits, method: req.method, path: req.url, body: Buffer.concat(chunks).toString()})
      res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)})
      res.end(body)
    })
  })
  return {...srv, state}
}
