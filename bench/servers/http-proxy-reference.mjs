// The reference Node proxy: http-proxy (npm) with a keep-alive agent, as people deploy it.
import http from 'node:http'
import httpProxy from 'http-proxy'

const upstream = process.argv[2]
const agent = new http.Agent({keepAlive: true, maxSockets: 128})
const proxy = httpProxy.createProxyServer({target: upstream, agent})
proxy.on('error', (err, req, res) => {
  if (!res.headersSent) res.writeHead(502)
  res.end()
})
const server = http.createServer({keepAliveTimeout: 60_000}, (req, res) => proxy.web(req, res))
server.listen(0, '127.0.0.1', () => process.send?.({port: server.address().port}))
process.on('disconnect', () => process.exit(0))
