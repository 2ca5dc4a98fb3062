// A stand-in for the faultline command, run from source: `node --import tsx driver.mjs <mode> <port> <logFile>`.
// It installs a ProcessReaper, starts a server and prints one JSON line per milestone to stdout:
//   mode "ready":    with-grandchild.mjs on <port>; prints {"event":"ready",...} once it answers.
//   mode "exit":     like "ready", then calls process.exit(0) at once.
//   mode "starting": never-ready.mjs; prints {"event":"started",...} once it is spawned, while
//                    the supervisor is still waiting for it to become ready.
// Then it waits to be signalled. It never stops the server itself: the reaper must.
import {fileURLToPath} from 'node:url'
import {EventLog} from '../../../src/events/event-log.js'
import {ProcessReaper, ServerSupervisor} from '../../../src/supervisor/index.js'

const [mode, port, logFile] = process.argv.slice(2)
const here = (name) => JSON.stringify(fileURLToPath(new URL(name, import.meta.url)))
const say = (event, detail) => process.stdout.write(`${JSON.stringify({event, ...detail})}\n`)

const reaper = new ProcessReaper().install()
const events = new EventLog()
events.on('event', (event) => {
  if (event.detail?.action === 'started') say('started', {pid: event.detail.pid})
})
const spec =
  mode === 'ready' || mode === 'exit'
    ? {
        command: `node ${here('with-grandchild.mjs')} --port ${port}`,
        ready: {kind: 'http', url: `http://127.0.0.1:${port}/`},
        startupTimeoutMs: 20_000,
        logFile,
      }
    : {
        command: `node ${here('never-ready.mjs')}`,
        ready: {kind: 'tcp', host: '127.0.0.1', port: Number(port)},
        startupTimeoutMs: 600_000,
        logFile,
      }
const supervisor = new ServerSupervisor(spec, {events, reaper})
setInterval(() => {}, 1 << 30)
const {readyMs} = await supervisor.start()
say('ready', {pid: supervisor.pid, readyMs})
if (mode === 'exit') process.exit(0)
