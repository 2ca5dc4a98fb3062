// Test server: a TCP echo server on 127.0.0.1:<--port>.
import {createServer} from 'node:net'

const port = Number(process.argv[process.argv.indexOf('--port') + 1])
createServer((socket) => socket.pipe(socket)).listen(port, '127.0.0.1', () => {
  console.log(`tcp-server ${process.pid} listening on ${port}`)
})
