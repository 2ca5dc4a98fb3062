import {Flags} from '@oclif/core'
import {runL4ProxiesFromConfig} from '../control/run-from-config.js'
import {UsageError} from '../errors.js'
import {EventLog} from '../events/event-log.js'
import {startStandaloneHttpProxy} from '../proxy/http/standalone.js'
import {DEFAULT_HTTP_TIMEOUTS, timeoutsProblem, type HttpTimeouts} from '../proxy/http/timeouts.js'
import {newSeed} from '../random.js'
import {EventsFileWriter} from '../report/event-file-writer.js'
import {formatEvent} from '../report/event-line.js'
import {LiveLog} from '../report/live-log.js'
import {parseDuration} from '../scenario/duration.js'
import {faultsFromFlags, STANDALONE_FAULT_TYPES} from '../scenario/profile-flags.js'
import {parseListen} from './listen-address.js'
import {waitForStopSignal} from './stop-signal.js'
import {FaultlineCommand} from './base-command.js'

export default class Proxy extends FaultlineCommand {
  static override summary = 'Run the fault-injecting proxy in the foreground with a live log'
  static override description = `HTTP/1.1 (L7): every request is forwarded to --upstream; a fault given by flags or a profile
hits the requests its rule selects (method, path glob, headers; nth occurrence or probability).
TCP (L4): --config proxies.json runs Toxiproxy-format proxies with their toxics.
Prints what it did to each request until Ctrl-C; past 50 lines a second, the rest
of each second is summarised in one line (faults and errors are always printed).`
  static override examples = [
    '<%= config.bin %> proxy --listen 127.0.0.1:8080 --upstream http://127.0.0.1:3000 --fault drop-reply --nth 2',
    '<%= config.bin %> proxy --upstream http://127.0.0.1:3000 --fault delay --delay 200ms --probability 0.1 --path "/api/**"',
    '<%= config.bin %> proxy --upstream http://127.0.0.1:3000 --profile flaky --profiles profiles.yaml',
    '<%= config.bin %> proxy --config proxies.json',
  ]
  static override flags = {
    listen: Flags.string({description: 'address to listen on (host:port)', default: '127.0.0.1:8080'}),
    upstream: Flags.string({description: 'base URL of the server to forward to (http://host:port)'}),
    fault: Flags.string({description: 'the fault to inject', options: [...STANDALONE_FAULT_TYPES]}),
    mode: Flags.string({description: 'drop-*: timeout|reset; duplicate: sequential|concurrent|delayed; status: an HTTP status such as 503'}),
    phase: Flags.string({description: 'delay, status: request|reply'}),
    delay: Flags.string({description: 'delay (delay fault, delayed duplicate): 200ms, 1s or a range 10ms..200ms'}),
    nth: Flags.integer({description: 'only the nth matching request (1 = the first)', min: 1}),
    probability: Flags.string({description: 'probability a matching request is hit (0..1, default 1)'}),
    method: Flags.string({description: 'only requests with this method'}),
    path: Flags.string({description: 'only requests whose path matches this glob (* within a segment, ** across)'}),
    header: Flags.string({description: 'only requests with this header, as "Name: value-glob" (repeatable)', multiple: true}),
    profile: Flags.string({description: 'apply every fault of this profile (built-in or from --profiles)', multiple: true}),
    profiles: Flags.string({description: 'a YAML profile file defining more profiles'}),
    config: Flags.string({description: 'run the TCP proxies of a Toxiproxy-format config file (JSON array)'}),
    events: Flags.string({description: 'also write every event to FILE as JSON lines'}),
    force: Flags.boolean({description: 'overwrite the --events file if it exists', default: false}),
    seed: Flags.integer({description: 'seed for probability and delay draws (printed when not given)', min: 0}),
    quiet: Flags.boolean({description: 'no live log', default: false}),
    'headers-timeout': Flags.string({description: 'close a client whose request head is not complete within this (0 = never)', default: '60s'}),
    'request-timeout': Flags.string({description: 'close a client whose whole request (head and body) is not in within this (0 = never)', default: '300s'}),
    'idle-timeout': Flags.string({description: 'close a kept-alive connection idle between requests for this long', default: '65s'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Proxy)
    if (!flags.upstream && !flags.config) throw new UsageError('give --upstream URL (HTTP proxy) or --config proxies.json (TCP proxies)')
    if (flags.config && (flags.fault || flags.profile)) {
      throw new UsageError('--config runs TCP proxies whose faults are toxics in the file; --fault and --profile apply to --upstream')
    }
    if (flags.upstream !== undefined) checkUpstream(flags.upstream)
    const timeouts = timeoutsFromFlags(flags)
    const seed = flags.seed ?? newSeed()
    const events = new EventLog()
    const writer = flags.events ? new EventsFileWriter(events, flags.events, flags.force) : undefined
    const color = this.useColor()
    const live = flags.quiet ? undefined : new LiveLog(events, {write: (text) => process.stdout.write(text), format: (e) => formatEvent(e, {color})})
    const stops: Array<() => Promise<void>> = []
    try {
      this.log(`seed ${seed}`)
      if (flags.config) {
        const running = await runL4ProxiesFromConfig({config: flags.config, seed, events})
        stops.push(() => running.close())
        for (const p of running.proxies) this.log(`proxy ${p.name}: ${p.listen} → ${p.upstream}`)
      } else {
        const faults = await faultsFromFlags(flags)
        const {host, port} = parseListen(flags.listen, '--listen')
        const proxy = await startStandaloneHttpProxy({listenHost: host, listenPort: port, upstream: flags.upstream as string, faults, seed, events, timeouts})
        stops.push(() => proxy.close())
        this.log(`faultline proxy ${proxy.url} → ${flags.upstream} (${faults.length === 0 ? 'no faults' : `${faults.length} fault rule${faults.length === 1 ? '' : 's'}`}); Ctrl-C stops`)
      }
      await waitForStopSignal()
    } finally {
      for (const stop of stops.reverse()) await stop()
      live?.close()
      await writer?.close()
    }
  }
}

const TIMEOUT_FLAGS: Record<keyof HttpTimeouts, 'headers-timeout' | 'request-timeout' | 'idle-timeout'> = {
  headersTimeout: 'headers-timeout',
  requestTimeout: 'request-timeout',
  keepAliveTimeout: 'idle-timeout',
}

/** The client timeouts the flags set (durations like 30s or 500ms; 0 turns one off). */
export function timeoutsFromFlags(flags: Partial<Record<'headers-timeout' | 'request-timeout' | 'idle-timeout', string>>): HttpTimeouts {
  const timeouts = {...DEFAULT_HTTP_TIMEOUTS}
  for (const [key, flag] of Object.entries(TIMEOUT_FLAGS) as Array<[keyof HttpTimeouts, (typeof TIMEOUT_FLAGS)[keyof HttpTimeouts]]>) {
    const text = flags[flag]
    if (text === undefined) continue
    let ms: number
    try {
      ms = parseDuration(text)
    } catch (err) {
      throw new UsageError(`--${flag} ${text}: ${(err as Error).message}`)
    }
    // The duration parser already refuses anything past Node's timer limit (2^31-1 ms).
    if (!Number.isInteger(ms)) throw new UsageError(`--${flag} ${text}: write whole milliseconds, e.g. 30s or 1500ms`)
    timeouts[key] = ms
  }
  const problem = timeoutsProblem(timeouts)
  if (problem) throw new UsageError(`--headers-timeout ${flags['headers-timeout'] ?? '60s'}, --request-timeout ${flags['request-timeout'] ?? '300s'}: ${problem}; lower --headers-timeout or raise --request-timeout`)
  return timeouts
}

/** The HTTP proxy forwards to an http:// base URL; anything else is bad usage, said at once. */
function checkUpstream(value: string): void {
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  if (!url || url.protocol !== 'http:' || url.hostname === '') {
    throw new UsageError(`--upstream ${value}: write the server's base URL as http://host:port, e.g. http://127.0.0.1:3000`)
  }
}
