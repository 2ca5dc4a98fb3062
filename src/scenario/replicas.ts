import type {RawScenario} from './raw-scenario.js'
import type {Checker} from './scenario-checker.js'
import {buildServerBlock} from './server-block.js'
import {renderString} from './template.js'
import {REPLICA_SERVER_TEMPLATES, TARGET_TEMPLATES} from './template-scopes.js'
import type {Protocol, Replica} from './types.js'

type RawTarget = RawScenario['target']

/** The form of a replica's url per protocol: its schemes, an example, and whether it needs a port. */
const REPLICA_URLS: Record<Protocol, {schemes: string[]; example: string; port: boolean}> = {
  http: {schemes: ['http:'], example: 'http://127.0.0.1:{{port}}', port: false},
  jsonrpc: {schemes: ['http:'], example: 'http://127.0.0.1:{{port}}/rpc', port: false},
  grpc: {schemes: ['grpc:', 'http:'], example: 'grpc://127.0.0.1:{{port}}', port: true},
  tcp: {schemes: ['tcp:'], example: 'tcp://127.0.0.1:{{port}}', port: true},
}

/**
 * `target.replicas`: replicated servers, each started by faultline (crash faults need that),
 * exactly one of them the primary, for every protocol. Names are unique.
 */
export function buildReplicas(check: Checker, raw: RawTarget, dir: string): Replica[] {
  const at = ['target', 'replicas']
  const list = raw.replicas as NonNullable<RawTarget['replicas']>
  if (raw.url !== undefined) check.fail(['target', 'url'], 'give target.url or target.replicas, not both; each replica names its own url', {key: true})
  if (raw.server !== undefined) check.fail(['target', 'server'], 'give target.server or target.replicas, not both; each replica has its own server block', {key: true})
  const primaries = list.flatMap((r, i) => (r.role === 'primary' ? [i] : []))
  if (primaries.length === 0) check.fail([...at, 0, 'role'], 'no replica has role primary; write role: primary on the one the client should try first')
  if (primaries.length > 1) check.fail([...at, primaries[1] as number, 'role'], `a second primary (the first is replicas[${primaries[0]}]); write role: backup`)
  const seen = new Map<string, number>()
  return list.map((r, i) => {
    const first = seen.get(r.name)
    if (first !== undefined) check.fail([...at, i, 'name'], `replica name "${r.name}" is already used by replicas[${first}]; choose another name`)
    seen.set(r.name, i)
    checkReplicaUrl(check, [...at, i, 'url'], r.url, raw.protocol)
    const server = buildServerBlock(check, r.server, raw.protocol, dir, [...at, i, 'server'], REPLICA_SERVER_TEMPLATES)
    return {name: r.name, role: r.role, url: r.url, server}
  })
}

/** A replica's url has its protocol's form: http:// for http and jsonrpc, grpc:// (or http://) or tcp:// with a port for grpc and tcp. */
function checkReplicaUrl(check: Checker, at: Array<string | number>, url: string, protocol: Protocol): void {
  check.templates(at, url, TARGET_TEMPLATES, 'a replica url')
  const form = REPLICA_URLS[protocol]
  let parsed: URL | undefined
  try {
    parsed = new URL(renderString(url, {port: 1, env: check.env}))
  } catch {
    parsed = undefined
  }
  if (!parsed || !form.schemes.includes(parsed.protocol) || parsed.hostname === '' || (form.port && parsed.port === '')) {
    const kind = form.schemes.map((scheme) => `${scheme}//`).join(' or ')
    check.fail(at, `must be ${kind.startsWith('http') ? 'an' : 'a'} ${kind} URL${form.port ? ' with a port' : ''} such as ${form.example} (got ${JSON.stringify(url)})`)
  }
}
