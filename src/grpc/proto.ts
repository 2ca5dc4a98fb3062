import {loadSync, type MethodDefinition, type Options, type PackageDefinition} from '@grpc/proto-loader'

/**
 * How faultline reads .proto files, everywhere (loader, proxy, client, probes):
 * field names as written, enums as their names, 64-bit integers as JS numbers (so counters
 * work with the count oracle; values past 2^53 lose precision), bytes as base64, and
 * default values filled in so a zero balance reads as 0, not as a missing field.
 */
export const PROTO_OPTIONS: Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  bytes: String,
  defaults: true,
  oneofs: true,
}

/** One RPC method of the loaded .proto. */
export interface RpcMethod {
  /** `bank.Bank/Deposit`: service full name, slash, method name (how scenarios name it). */
  name: string
  /** The HTTP/2 path: `/bank.Bank/Deposit`. */
  path: string
  unary: boolean
  /** Top-level field names of the request message. */
  requestFields: string[]
  definition: MethodDefinition<object, object>
}

export class ProtoError extends Error {}

/** The services of a .proto file, loaded once, with lookups by method name and path. */
export class ProtoCatalog {
  readonly methods: ReadonlyMap<string, RpcMethod>
  private readonly byPath: ReadonlyMap<string, RpcMethod>

  constructor(definition: PackageDefinition) {
    const methods = new Map<string, RpcMethod>()
    for (const [serviceName, entry] of Object.entries(definition)) {
      if ('format' in entry) continue // a message or enum type, not a service
      for (const [methodName, method] of Object.entries(entry as Record<string, MethodDefinition<object, object>>)) {
        const type = method.requestType?.type as {field?: Array<{name?: string}>} | undefined
        const rpc: RpcMethod = {
          name: `${serviceName}/${methodName}`,
          path: method.path,
          unary: !method.requestStream && !method.responseStream,
          requestFields: (type?.field ?? []).map((f) => f.name ?? '').filter(Boolean),
          definition: method,
        }
        methods.set(rpc.name, rpc)
      }
    }
    this.methods = methods
    this.byPath = new Map([...methods.values()].map((m) => [m.path, m]))
  }

  /** Load `file` (absolute); import paths resolve against its directory. Throws ProtoError. */
  static load(file: string, includeDirs: string[] = []): ProtoCatalog {
    try {
      return new ProtoCatalog(loadSync(file, {...PROTO_OPTIONS, includeDirs}))
    } catch (err) {
      throw new ProtoError((err as Error).message.split('\n')[0] ?? String(err))
    }
  }

  method(name: string): RpcMethod | undefined {
    return this.methods.get(name.replace(/^\//, ''))
  }

  methodByPath(path: string): RpcMethod | undefined {
    return this.byPath.get(path)
  }

  /** `bank.Bank/Deposit, bank.Bank/Balance`: for error messages. */
  describe(): string {
    return [...this.methods.keys()].join(', ') || '(no services)'
  }
}

/**
 * A reply message as evidence text: the decoded message as JSON when the proto decodes it,
 * else `base64:` and the raw bytes, so equal replies always compare equal.
 */
export function describeReplyMessage(method: RpcMethod | undefined, data: Buffer, compressed: boolean): string {
  if (method && !compressed) {
    try {
      return JSON.stringify(method.definition.responseDeserialize(data))
    } catch {
      // fall through to raw bytes
    }
  }
  return `base64:${data.toString('base64')}`
}

/** A request message as evidence text, as `describeReplyMessage` does for replies. */
export function describeRequestMessage(method: RpcMethod | undefined, data: Buffer, compressed: boolean): string {
  if (method && !compressed) {
    try {
      return JSON.stringify(method.definition.requestDeserialize(data))
    } catch {
      // fall through to raw bytes
    }
  }
  return `base64:${data.toString('base64')}`
}
