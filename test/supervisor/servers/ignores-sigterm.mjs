// Test server: HTTP on --port, and it ignores SIGTERM (a server that hangs on shutdown).
// GET / answers {pid, ppid, port}.
import {createServer} from 'node:http'

const port = Number(process.argv[process.argv.indexOf('--port') + 1])
process.on('SIGTERM', () => console.log('got SIGTERM, ignoring it'))
createServer((_req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({pid: process.pid, ppid: process.ppid, port}))
}).listen(port, '127.0.0.1', () => {
  console.log(`ignores-sigterm ${process.pid} listening on ${port}`)
})
