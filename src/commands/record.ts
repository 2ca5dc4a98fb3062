import {rmSync} from 'node:fs'
import {Flags} from '@oclif/core'
import {EnvironmentError, UsageError} from '../errors.js'
import {CountDisplay} from '../record/count-display.js'
import {claimOutputFile} from '../record/output-file.js'
import {catalogFromFlag, checkRecordFlags, framingFromFlags} from '../record/record-options.js'
import {startRecorder, type Recorder, type RecordProtocol} from '../record/recorder.js'
import {Redaction} from '../record/redaction.js'
import {parseDuration} from '../scenario/duration.js'
import {FaultlineCommand} from './base-command.js'
import {parseListen} from './listen-address.js'
import {waitForStopSignal} from './stop-signal.js'

const PROTOCOLS: RecordProtocol[] = ['http', 'jsonrpc', 'grpc', 'tcp']

export default class Record extends FaultlineCommand {
  static override summary = 'Record the traffic between a client and its server, passed through unchanged'
  static override description = `HTTP and JSON-RPC are written as a HAR 1.2 file (open it in browser devtools or a HAR viewer);
gRPC and framed TCP as JSON lines, one decoded message a line. Authorization, Cookie, Set-Cookie,
Proxy-Authorization and the headers named by --redact are written as [redacted] unless --keep-secrets.
Shows a count per route on stderr; Ctrl-C stops, and the file is complete.`
  static override examples = [
    '<%= config.bin %> record --listen 127.0.0.1:8080 --upstream http://127.0.0.1:3000 --out traffic.har',
    '<%= config.bin %> record --protocol jsonrpc --upstream http://127.0.0.1:8545 --out rpc.har --redact x-api-key',
    '<%= config.bin %> record --protocol grpc --upstream grpc://127.0.0.1:50051 --proto bank.proto --out calls.jsonl',
    '<%= config.bin %> record --protocol tcp --upstream tcp://127.0.0.1:7000 --framing length-prefixed --header-bytes 2 --out frames.jsonl',
  ]
  static override flags = {
    listen: Flags.string({description: 'address to listen on (host:port; port 0 picks a free one)', default: '127.0.0.1:8080'}),
    upstream: Flags.string({description: 'the server to forward to: http://host:port (http, jsonrpc), grpc://host:port, tcp://host:port', required: true}),
    out: Flags.string({description: 'the file to write: HAR 1.2 (http, jsonrpc) or JSON lines (grpc, tcp)', required: true}),
    protocol: Flags.string({description: 'what the client and server speak', options: PROTOCOLS, default: 'http'}),
    force: Flags.boolean({description: 'overwrite --out if it exists', default: false}),
    redact: Flags.string({description: 'also write this header as [redacted] (repeatable)', multiple: true}),
    'keep-secrets': Flags.boolean({description: 'write Authorization, Cookie, Set-Cookie and Proxy-Authorization as they were', default: false}),
    proto: Flags.string({description: 'grpc: the .proto that decodes the messages (without it they are written as base64)'}),
    framing: Flags.string({description: 'tcp: how messages are framed', options: ['ndjson', 'length-prefixed']}),
    'header-bytes': Flags.string({description: 'tcp, length-prefixed: size of the length header', options: ['1', '2', '4']}),
    'byte-order': Flags.string({description: 'tcp, length-prefixed: byte order of the length header', options: ['big', 'little']}),
    'max-frame-bytes': Flags.integer({description: 'tcp: the largest frame accepted (default 1 MiB)', min: 1}),
    route: Flags.string({description: 'tcp: JSONPath of the request field that names its route, e.g. $.op'}),
    'count-every': Flags.string({description: 'when stderr is not a terminal: how often the count per route is printed', default: '10s'}),
    quiet: Flags.boolean({description: 'no live count', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Record)
    const protocol = flags.protocol as RecordProtocol
    checkRecordFlags({...flags, protocol})
    const framing = protocol === 'tcp' ? framingFromFlags({...flags, protocol}) : undefined
    const catalog = catalogFromFlag(flags.proto)
    const countEvery = countInterval(flags['count-every'])
    const {host, port} = parseListen(flags.listen, '--listen')
    const fd = claimOutputFile(flags.out, flags.force)
    const recorder = await startRecorder({
      protocol,
      listenHost: host,
      listenPort: port,
      upstream: flags.upstream,
      fd,
      creator: {name: 'faultline', version: this.config.version},
      redaction: new Redaction({extra: flags.redact, keepSecrets: flags['keep-secrets']}),
      catalog,
      framing,
      routePath: flags.route,
    }).catch((err: unknown) => {
      rmSync(flags.out, {force: true}) // nothing was recorded: leave no file behind
      throw err
    })
    const format = protocol === 'grpc' || protocol === 'tcp' ? 'JSON lines' : 'HAR 1.2'
    this.log(`faultline record ${recorder.url} → ${flags.upstream}, writing ${flags.out} (${format}); Ctrl-C stops`)
    const display = flags.quiet ? undefined : new CountDisplay(recorder.counts, process.stderr, {everyMs: process.stderr.isTTY ? 200 : countEvery})
    await waitForStopSignal()
    try {
      await finish(recorder, flags.out)
    } finally {
      display?.stop()
    }
    this.log(`wrote ${recorder.counts.total} request${recorder.counts.total === 1 ? '' : 's'} to ${flags.out}`)
  }
}

function countInterval(text: string): number {
  try {
    const ms = parseDuration(text)
    if (ms >= 100) return ms
  } catch {
    // said below
  }
  throw new UsageError(`--count-every ${text}: write a duration of at least 100ms, e.g. 10s`)
}

/** Stop the proxy and finish the file; a file the disk refused is the environment's failure. */
async function finish(recorder: Recorder, out: string): Promise<void> {
  try {
    await recorder.close()
  } catch (err) {
    throw new EnvironmentError('FL_RECORD_WRITE', `--out ${out}: could not write the recording (${(err as Error).message}); check the disk and the folder's permissions`)
  }
}
