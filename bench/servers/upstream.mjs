// Benchmark upstream: answers every small JSON POST with a small JSON reply, keep-alive.
import http from 'node:http'

const reply = JSON.stringify({ok: true, value: 42})
const server = http.createServer({keepAliveTimeout: 60_000}, (req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(reply)})
    res.end(reply)
  })
})
server.listen(0, '127.0.0.1', () => process.send?.({port: server.address().port}))
process.on('disconnect', () => process.exit(0))
