// Test server: the process faultline spawns does not serve; it starts a child (a
// grandchild of faultline, same process group) that listens on --port, then idles.
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const port = process.argv[process.argv.indexOf('--port') + 1]
const script = fileURLToPath(new URL('./http-server.mjs', import.meta.url))
const child = spawn(process.execPath, [script, '--port', port], {stdio: 'inherit'})
console.log(`with-grandchild ${process.pid} started child ${child.pid}`)
setInterval(() => {}, 1 << 30)
