import {createWriteStream, type WriteStream} from 'node:fs'
import {Command, Flags} from '@oclif/core'
import {ControlServer} from '../control/server.js'
import {runL4ProxiesFromConfig} from '../control/run-from-config.js'
import {ProxyRegistry} from '../control/proxy-registry.js'
import {EnvironmentError, FaultlineError, UsageError} from '../errors.js'
import {EventLog} from '../proxy/events.js'
import {newSeed} from '../random.js'
import {formatEvent, wantsColor} from '../report/event-line.js'

/** Run the Toxiproxy-compatible admin API until SIGINT/SIGTERM. */
export default class Serve extends Command {
  static override summary = 'Run a Toxiproxy-compatible admin API (L4 proxies and toxics)'
  static override description =
    'Existing Toxiproxy clients (toxiproxy-node-client, toxiproxy-cli, …) can create proxies and toxics on it. ' +
    'Runs until SIGINT or SIGTERM, then closes every proxy and connection.'
  static override examples = [
    '<%= config.bin %> serve',
    '<%= config.bin %> serve --port 0 --config proxies.json --events events.jsonl --seed 42',
  ]

  static override flags = {
    host: Flags.string({description: 'address the admin API listens on', default: '127.0.0.1'}),
    port: Flags.integer({
      description: 'port of the admin API (0 = any free port)',
      default: 8474,
      min: 0,
      max: 65535,
    }),
    config: Flags.string({
      description: "proxies to create at start, in Toxiproxy's config format (a JSON array)",
    }),
    events: Flags.string({description: 'write every event as one JSON line to this file'}),
    seed: Flags.integer({
      description: 'seed for toxicity rolls, jitter and slice sizes (printed when not given)',
      min: 1,
    }),
    quiet: Flags.boolean({description: 'do not log events on stderr', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Serve)
    try {
      await serve(flags, this)
    } catch (err) {
      if (err instanceof FaultlineError) {
        process.stderr.write(`faultline serve: ${err.message}\n`)
        process.exitCode = err.exitCode
        return
      }
      throw err
    }
  }
}

interface ServeFlags {
  host: string
  port: number
  config?: string
  events?: string
  seed?: number
  quiet: boolean
}

async function serve(flags: ServeFlags, command: Command): Promise<void> {
  const seed = flags.seed ?? newSeed()
  const events = new EventLog()
  let file: WriteStream | undefined
  if (flags.events) {
    file = createWriteStream(flags.events, {flags: 'w'})
    await new Promise<void>((resolve, reject) => {
      file?.once('open', () => resolve())
      file?.once('error', (err) =>
        reject(new UsageError(`${flags.events}: cannot write events (${err.message})`)),
      )
    })
    events.on('event', (e) => file?.write(`${JSON.stringify(e)}\n`))
  }
  if (!flags.quiet) {
    const color = wantsColor(process.stderr)
    events.on('event', (e) => process.stderr.write(`${formatEvent(e, {color})}\n`))
  }
  const registry = new ProxyRegistry({events, seed})
  const server = new ControlServer({registry, host: flags.host, port: flags.port})
  const shutdown = async () => {
    await server.close()
    await registry.close()
    if (file) await new Promise<void>((resolve) => file?.end(() => resolve()))
  }
  try {
    if (flags.config) await runL4ProxiesFromConfig({config: flags.config, registry, seed, events})
    try {
      await server.listen()
    } catch (err) {
      throw new EnvironmentError(
        'FL_CONTROL_BIND',
        `cannot listen on ${flags.host}:${flags.port}: ${(err as Error).message}`,
        {cause: err},
      )
    }
  } catch (err) {
    await shutdown()
    throw err
  }
  command.log(`seed ${seed}`)
  command.log(`faultline admin API listening on http://${server.address}`)
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  await shutdown()
}
