import type {ProtoCatalog} from '../grpc/proto.js'
import type {RawScenario} from './raw-scenario.js'
import type {Checker} from './scenario-checker.js'
import type {PathSegment} from './source.js'
import type {EndpointMatch, Protocol} from './types.js'
import {didYouMean} from './validate.js'

type RawMatch = NonNullable<RawScenario['endpoints'][number]['match']>

/** What each protocol's `match` is written with, for error messages. */
const SHAPES: Record<Protocol, string> = {
  http: 'match: { method: POST, path: /orders/{id} }',
  jsonrpc: 'match: { method: createOrder } (the JSON-RPC method)',
  grpc: 'match: { method: package.Service/Method }',
  tcp: 'match: { fields: { $.op: createOrder } } (JSONPath in the request frame → value)',
}

/**
 * An endpoint's `match` (client.command scenarios) as a proxy rule selector: which requests
 * of the user's client are attempts of this endpoint's operation.
 */
export function buildEndpointMatch(check: Checker, protocol: Protocol, at: PathSegment[], raw: RawMatch, proto: ProtoCatalog | undefined): EndpointMatch {
  const only = (allowed: Array<keyof RawMatch>) => {
    for (const name of Object.keys(raw) as Array<keyof RawMatch>) {
      if (!allowed.includes(name)) check.fail([...at, name], `a ${protocol} endpoint is matched by ${allowed.join(' and ')}; write ${SHAPES[protocol]}`, {key: true})
    }
    if (!allowed.some((name) => raw[name] !== undefined)) check.fail(at, `say which requests are this endpoint's; write ${SHAPES[protocol]}`)
  }
  if (protocol === 'http') {
    only(['method', 'path'])
    const match: EndpointMatch = {}
    if (raw.method !== undefined) match.method = raw.method.toUpperCase()
    if (raw.path !== undefined) match.path = pathGlob(check, [...at, 'path'], raw.path)
    return match
  }
  if (protocol === 'jsonrpc') {
    only(['method'])
    return {rpcMethod: raw.method as string}
  }
  if (protocol === 'grpc') {
    only(['method'])
    const name = (raw.method as string).replace(/^\//, '')
    if (proto && !proto.method(name)) {
      const guess = didYouMean(name, [...proto.methods.keys()])
      check.fail([...at, 'method'], `unknown method "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; the proto defines: ${proto.describe()}`)
    }
    return {path: `/${name}`}
  }
  only(['fields'])
  const fields = raw.fields as NonNullable<RawMatch['fields']>
  for (const key of Object.keys(fields)) check.jsonPath([...at, 'fields', key], key)
  return {fields}
}

/** `/counters/{key}/increment` → `/counters/*\/increment`; globs (`*`, `**`) stay as written. */
function pathGlob(check: Checker, at: PathSegment[], written: string): string {
  if (!written.startsWith('/')) check.fail(at, `must start with / (got ${JSON.stringify(written)}); write a path such as /orders/{id}`)
  if (written.includes('{{')) check.fail(at, `matches the client's requests, whatever their values: write a {name} segment such as /counters/{key} instead of a template (got ${JSON.stringify(written)})`)
  return (written.split('?')[0] ?? written).replace(/\{[^/{}]+\}/g, '*')
}
