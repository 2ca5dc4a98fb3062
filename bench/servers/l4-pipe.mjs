// The bare Node L4 proxy the L4 benchmarks compare faultline with: every accepted client is
// dialled to the upstream (argv[2], host:port) and joined with socket.pipe both ways, no
// options beyond noDelay (as faultline sets). Prints its port as one line on stdout; SIGTERM
// exits.
import net from 'node:net'

const [host, port] = process.argv[2].split(':')
const server = net.createServer({noDelay: true}, (client) => {
  const upstream = net.connect({host, port: Number(port), noDelay: true})
  client.pipe(upstream).pipe(client)
  client.on('error', () => upstream.destroy())
  upstream.on('error', () => client.destroy())
})
server.listen(0, '127.0.0.1', () => console.log(server.address().port))
process.on('SIGTERM', () => process.exit(0))
