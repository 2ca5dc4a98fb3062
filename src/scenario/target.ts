import path from 'node:path'
import {ProtoCatalog, ProtoError} from '../grpc/proto.js'
import type {RawScenario} from './raw-scenario.js'
import {SCENARIO_DEFAULTS} from './scenario-defaults.js'
import type {Checker} from './scenario-checker.js'
import {buildReplicas} from './replicas.js'
import {buildServerBlock} from './server-block.js'
import {buildTcpTarget} from './tcp-target.js'
import {findTemplateNames, renderString} from './template.js'
import {TARGET_TEMPLATES} from './template-scopes.js'
import type {Protocol, Target} from './types.js'

/** A target url per protocol, for messages. */
const URL_EXAMPLES: Record<Protocol, string> = {http: 'http://127.0.0.1:4100', jsonrpc: 'http://127.0.0.1:4100/rpc', tcp: 'tcp://127.0.0.1:4100', grpc: 'grpc://127.0.0.1:50051'}

/** The `target` block: protocol, URL, the protocol's own settings, the server faultline runs. */
export function buildTarget(check: Checker, raw: RawScenario['target'], dir: string): Target {
  const at = ['target']
  let target: Target
  if (raw.replicas) {
    // The primary stands in as url and server wherever one server is meant.
    const replicas = buildReplicas(check, raw, dir)
    const primary = replicas.find((r) => r.role === 'primary') as (typeof replicas)[number]
    target = {protocol: raw.protocol, url: primary.url, server: primary.server, replicas}
  } else {
    // The schema cannot require url only without replicas (strict mode), so it is checked here.
    if (raw.url === undefined) check.fail(at, `missing required field "url" (Base URL of the server under test, e.g. ${URL_EXAMPLES[raw.protocol]}; may hold {{port}})`)
    checkTargetUrl(check, raw)
    target = {protocol: raw.protocol, url: raw.url}
  }
  if (raw.protocol === 'jsonrpc') {
    target.jsonrpc = {retryErrorCodes: [...(raw.retryErrorCodes ?? SCENARIO_DEFAULTS.jsonrpc.retryErrorCodes)]}
    if (raw.requestId) {
      const place = raw.requestId as {param: string} | {header: string}
      target.jsonrpc.requestId = 'param' in place ? {param: check.jsonPath([...at, 'requestId', 'param'], place.param)} : {header: place.header}
    }
  }
  if (raw.protocol === 'tcp') target.tcp = buildTcpTarget(check, raw)
  if (raw.proto !== undefined) target.proto = path.resolve(dir, raw.proto)
  if (raw.server && !raw.replicas) target.server = buildServerBlock(check, raw.server, raw.protocol, dir)
  return target
}

/** `target.url` has the scheme of its protocol, and uses {{port}} only when faultline starts the server. */
function checkTargetUrl(check: Checker, raw: RawScenario['target']): void {
  const at = ['target']
  check.templates([...at, 'url'], raw.url, TARGET_TEMPLATES, 'target.url')
  const sample = renderString(raw.url, {port: 1, env: check.env})
  let url: URL | undefined
  try {
    url = new URL(sample)
  } catch {
    url = undefined
  }
  if (raw.protocol === 'grpc') {
    if (!url || (url.protocol !== 'grpc:' && url.protocol !== 'http:') || url.hostname === '' || url.port === '') {
      check.fail(
        [...at, 'url'],
        `must be a grpc:// or http:// URL with a port, such as grpc://127.0.0.1:50051 (got ${JSON.stringify(raw.url)})`,
      )
    }
  } else {
    const scheme = raw.protocol === 'tcp' ? 'tcp:' : 'http:'
    if (!url || url.protocol !== scheme || url.hostname === '' || (scheme === 'tcp:' && url.port === '')) {
      const example = raw.protocol === 'tcp' ? 'tcp://127.0.0.1:4100' : raw.protocol === 'jsonrpc' ? 'http://127.0.0.1:4100/rpc' : 'http://127.0.0.1:4100'
      check.fail([...at, 'url'], `must be ${scheme === 'tcp:' ? 'a' : 'an'} ${scheme}// URL such as ${example} (got ${JSON.stringify(raw.url)})`)
    }
  }
  if (findTemplateNames(raw.url).includes('port') && !raw.server) {
    check.fail(
      [...at, 'url'],
      '{{port}} needs target.server: faultline picks the port and starts the server on it',
    )
  }
}

/** The target's .proto, loaded now so methods and fields are checked at load time. */
export function loadProto(check: Checker, target: Target): ProtoCatalog | undefined {
  if (target.protocol !== 'grpc' || target.proto === undefined) return undefined
  try {
    return ProtoCatalog.load(target.proto)
  } catch (error) {
    if (error instanceof ProtoError) check.fail(['target', 'proto'], `cannot load the proto file: ${error.message}`)
    throw error
  }
}
