// Test server: HTTP on --port, and it ignores SIGTERM (a server that hangs on shutdown).
import {createServer} from 'node:http'

const port = Number(process.argv[process.argv.indexOf('--port') + 1])
process.on('SIGTERM', () => console.log('got SIGTERM, ignoring it'))
createServer((_req, res) => res.end('ok\n')).listen(port, '127.0.0.1', () => {
  console.log(`ignores-sigterm ${process.pid} listening on ${port}`)
})
