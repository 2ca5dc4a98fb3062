import {Flags} from '@oclif/core'
import {ControlServer} from '../control/server.js'
import {runL4ProxiesFromConfig} from '../control/run-from-config.js'
import {ProxyRegistry} from '../control/proxy-registry.js'
import {EnvironmentError} from '../errors.js'
import {EventLog} from '../events/event-log.js'
import {newSeed} from '../random.js'
import {EventsFileWriter} from '../report/event-file-writer.js'
import {formatEvent, wantsColor} from '../report/event-line.js'
import {LiveLog} from '../report/live-log.js'
import {FaultlineCommand} from './base-command.js'
import {waitForStopSignal} from './stop-signal.js'

/** Run the Toxiproxy-compatible admin API until SIGINT/SIGTERM. */
export default class Serve extends FaultlineCommand {
  static override summary = 'Run a Toxiproxy-compatible admin API (TCP and HTTP proxies, byte and message toxics)'
  static override description =
    'Existing Toxiproxy clients (toxiproxy-node-client, toxiproxy-cli, …) can create proxies and toxics on it. ' +
    'Proxies with "protocol": "http" also take faultline\'s message toxics (drop-request, drop-reply, duplicate, delay, reset). ' +
    'Runs until SIGINT or SIGTERM, then closes every proxy and connection.'
  static override examples = ['<%= config.bin %> serve', '<%= config.bin %> serve --port 0 --config proxies.json --events events.jsonl --seed 42']

  static override flags = {
    host: Flags.string({description: 'address the admin API listens on', default: '127.0.0.1'}),
    port: Flags.integer({description: 'port of the admin API (0 = any free port)', default: 8474, min: 0, max: 65535}),
    config: Flags.string({description: "proxies to create at start, in Toxiproxy's config format (a JSON array)"}),
    events: Flags.string({description: 'write every event as one JSON line to this file'}),
    force: Flags.boolean({description: 'overwrite the --events file if it exists', default: false}),
    seed: Flags.integer({description: 'seed for toxicity rolls, jitter and slice sizes (printed when not given)', min: 1}),
    quiet: Flags.boolean({description: 'do not log events on stderr', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Serve)
    const seed = flags.seed ?? newSeed()
    const events = new EventLog()
    const writer = flags.events ? new EventsFileWriter(events, flags.events, flags.force) : undefined
    const color = wantsColor(process.stderr)
    // batched, and summarised past 50 routine lines a second: not one write per connection event
    const live = flags.quiet ? undefined : new LiveLog(events, {write: (text) => process.stderr.write(text), format: (e) => formatEvent(e, {color})})
    const registry = new ProxyRegistry({events, seed})
    const server = new ControlServer({registry, host: flags.host, port: flags.port})
    try {
      if (flags.config) await runL4ProxiesFromConfig({config: flags.config, registry, seed, events})
      try {
        await server.listen()
      } catch (err) {
        throw new EnvironmentError('FL_CONTROL_BIND', `cannot listen on ${flags.host}:${flags.port}: ${(err as Error).message}`, {cause: err})
      }
      this.log(`seed ${seed}`)
      this.log(`faultline admin API listening on http://${server.address}`)
      await waitForStopSignal()
    } finally {
      await server.close()
      await registry.close()
      live?.close()
      await writer?.close()
    }
  }
}
