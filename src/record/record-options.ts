import {existsSync} from 'node:fs'
import {isAbsolute, resolve} from 'node:path'
import {UsageError} from '../errors.js'
import {ProtoCatalog, ProtoError} from '../grpc/proto.js'
import {jsonPathProblem} from '../jsonpath.js'
import {DEFAULT_MAX_FRAME_BYTES, type Framing} from '../proxy/tcp/framing.js'
import type {RecordProtocol} from './recorder.js'

/** The flags of `faultline record` that need more than oclif's own checks. */
export interface RecordFlags {
  protocol: RecordProtocol
  upstream: string
  redact?: string[]
  'keep-secrets': boolean
  proto?: string
  framing?: string
  'header-bytes'?: string
  'byte-order'?: string
  'max-frame-bytes'?: number
  route?: string
}

const UPSTREAM_FORM: Record<RecordProtocol, {schemes: string[]; example: string}> = {
  http: {schemes: ['http:'], example: 'http://127.0.0.1:3000'},
  jsonrpc: {schemes: ['http:'], example: 'http://127.0.0.1:8545'},
  grpc: {schemes: ['grpc:', 'http:'], example: 'grpc://127.0.0.1:50051'},
  tcp: {schemes: ['tcp:'], example: 'tcp://127.0.0.1:7000'},
}

/** A header name as HTTP allows it (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Flags that only mean something for one protocol. */
const ONLY_FOR: Array<[keyof RecordFlags, RecordProtocol]> = [
  ['proto', 'grpc'],
  ['framing', 'tcp'],
  ['header-bytes', 'tcp'],
  ['byte-order', 'tcp'],
  ['max-frame-bytes', 'tcp'],
  ['route', 'tcp'],
]

/** Refuse what cannot work, each with one line that says what to write instead. */
export function checkRecordFlags(flags: RecordFlags): void {
  for (const [flag, protocol] of ONLY_FOR) {
    if (flags[flag] !== undefined && flags.protocol !== protocol) throw new UsageError(`--${flag} applies to --protocol ${protocol} only; remove it or add --protocol ${protocol}`)
  }
  const form = UPSTREAM_FORM[flags.protocol]
  let url: URL | undefined
  try {
    url = new URL(flags.protocol === 'tcp' && !flags.upstream.includes('://') ? `tcp://${flags.upstream}` : flags.upstream)
  } catch {
    url = undefined
  }
  if (!url || !form.schemes.includes(url.protocol) || url.hostname === '' || (flags.protocol !== 'http' && flags.protocol !== 'jsonrpc' && url.port === '')) {
    throw new UsageError(`--upstream ${flags.upstream}: write the ${flags.protocol} server's address as ${form.example}`)
  }
  if (flags['keep-secrets'] && flags.redact) throw new UsageError('--redact and --keep-secrets contradict each other; --keep-secrets writes every header as it was')
  for (const name of flags.redact ?? []) {
    if (!HEADER_NAME.test(name)) throw new UsageError(`--redact ${JSON.stringify(name)}: write one header name per --redact, e.g. --redact x-api-key`)
  }
  if (flags.route !== undefined) {
    const problem = jsonPathProblem(flags.route)
    if (problem) throw new UsageError(`--route ${flags.route}: not a valid JSONPath: ${problem}`)
  }
}

/** The framing the TCP flags describe (newline-delimited JSON unless told). */
export function framingFromFlags(flags: RecordFlags): Framing {
  const maxFrameBytes = flags['max-frame-bytes'] ?? DEFAULT_MAX_FRAME_BYTES
  if (flags.framing !== 'length-prefixed') {
    if (flags['header-bytes'] !== undefined || flags['byte-order'] !== undefined) {
      throw new UsageError('--header-bytes and --byte-order describe length-prefixed frames; add --framing length-prefixed')
    }
    return {type: 'ndjson', maxFrameBytes}
  }
  const headerBytes = Number(flags['header-bytes'] ?? 4) as 1 | 2 | 4
  const limit = 2 ** (8 * headerBytes) - 1
  if (flags['max-frame-bytes'] !== undefined && maxFrameBytes > limit) {
    throw new UsageError(`--max-frame-bytes ${maxFrameBytes}: a ${headerBytes}-byte length header describes at most ${limit} bytes`)
  }
  return {type: 'length-prefixed', headerBytes, byteOrder: flags['byte-order'] === 'little' ? 'little' : 'big', maxFrameBytes: Math.min(maxFrameBytes, limit)}
}

/** The .proto given with --proto, loaded; a file that does not load is bad usage. */
export function catalogFromFlag(file: string | undefined): ProtoCatalog | undefined {
  if (file === undefined) return undefined
  if (!existsSync(file)) throw new UsageError(`--proto ${file}: no such file; give the path of the .proto that declares the server's services`)
  try {
    return ProtoCatalog.load(isAbsolute(file) ? file : resolve(file))
  } catch (err) {
    if (err instanceof ProtoError) throw new UsageError(`--proto ${file}: ${err.message}; give a .proto file that declares the server's services`)
    throw err
  }
}
