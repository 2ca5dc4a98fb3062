import path from 'node:path'
import type {RawScenario} from './raw-scenario.js'
import {SCENARIO_DEFAULTS} from './scenario-defaults.js'
import type {Checker} from './scenario-checker.js'
import type {PathSegment} from './source.js'
import {SERVER_TEMPLATES, TARGET_TEMPLATES} from './template-scopes.js'
import type {Protocol, ReadyCheck, ServerBlock} from './types.js'

type RawServer = NonNullable<RawScenario['target']['server']>

/**
 * `target.server`: the command faultline runs, its environment, and how it knows the server is
 * ready. A replica's server block sits elsewhere (`sat`) and may use more templates.
 */
export function buildServerBlock(check: Checker, s: RawServer, protocol: Protocol, dir: string, sat: PathSegment[] = ['target', 'server'], templates: readonly string[] = SERVER_TEMPLATES): ServerBlock {
  if (s.setup !== undefined) check.templates([...sat, 'setup'], s.setup, templates, 'target.server')
  check.templates([...sat, 'command'], s.command, templates, 'target.server')
  check.templates([...sat, 'env'], s.env ?? {}, templates, 'target.server')
  const server: ServerBlock = {
    command: s.command,
    env: Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, String(v)])),
    ready: readyCheck(check, s, protocol, sat),
    startupTimeout: check.duration(
      [...sat, 'startupTimeout'],
      s.startupTimeout,
      SCENARIO_DEFAULTS.server.startupTimeout,
    ),
  }
  if (s.cwd !== undefined) server.cwd = path.resolve(dir, s.cwd)
  if (s.setup !== undefined) server.setup = s.setup
  return server
}

function readyCheck(check: Checker, s: RawServer, protocol: Protocol, sat: PathSegment[]): ReadyCheck {
  if (s.ready?.http !== undefined && protocol === 'tcp') {
    check.fail([...sat, 'ready', 'http'], 'a tcp target cannot answer HTTP; use ready: { tcp: true } or { log: PATTERN }', {key: true})
  }
  if (s.ready?.http !== undefined) {
    if (protocol === 'grpc') {
      check.fail([...sat, 'ready', 'http'], 'a gRPC server has no HTTP/1.1 readiness path; use ready: { tcp: true } or { log: "listening" }', {key: true})
    }
    check.templates([...sat, 'ready', 'http'], s.ready.http, TARGET_TEMPLATES, 'target.server')
    return {kind: 'http', path: s.ready.http}
  }
  if (s.ready?.log !== undefined) {
    try {
      new RegExp(s.ready.log)
    } catch (error) {
      check.fail([...sat, 'ready', 'log'], `not a valid regular expression: ${(error as Error).message}`)
    }
    return {kind: 'log', pattern: s.ready.log}
  }
  return SCENARIO_DEFAULTS.server.ready
}
