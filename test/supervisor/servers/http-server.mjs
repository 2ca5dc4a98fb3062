// Test server: HTTP on 127.0.0.1:<--port>. GET / answers {pid, ppid, port};
// GET /exit answers, then the process exits with code 7 (an "unexpected" exit).
import {createServer} from 'node:http'

const port = Number(process.argv[process.argv.indexOf('--port') + 1])
const server = createServer((req, res) => {
  if (req.url === '/exit') {
    res.end('bye\n', () => {
      console.error('exiting on request with code 7')
      process.exit(7)
    })
    return
  }
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({pid: process.pid, ppid: process.ppid, port}))
})
console.error(`stderr: http-server ${process.pid} booting`)
server.listen(port, '127.0.0.1', () => {
  console.log(`stdout: http-server ${process.pid} listening on ${port}`)
})
