import path from 'node:path'
import type {RawScenario} from './raw-scenario.js'
import {SCENARIO_DEFAULTS} from './scenario-defaults.js'
import type {Checker} from './scenario-checker.js'
import {CLIENT_COMMAND_TEMPLATES} from './template-scopes.js'
import type {ClientCommand} from './types.js'

/** Fields of `client` that configure the built-in client only; a client command retries by itself. */
const BUILT_IN_ONLY = ['attempts', 'backoff', 'backoffFactor', 'retryOn'] as const

/**
 * `client.command`: the user's own client, run once per trial. Its `timeout` is the whole
 * command's deadline (default 10 s). The built-in client's retry fields are refused next to
 * it, since the command does its own retrying; `env` and `cwd` are refused without it.
 */
export function buildClientCommand(check: Checker, raw: RawScenario['client'], dir: string, replicas?: readonly string[]): ClientCommand | undefined {
  if (raw?.command === undefined) {
    for (const field of ['env', 'cwd'] as const) {
      if (raw?.[field] !== undefined) check.fail(['client', field], `applies to client.command only; add command: "…" (your client, run once per trial) or remove ${field}`, {key: true})
    }
    return undefined
  }
  for (const field of BUILT_IN_ONLY) {
    if (raw[field] !== undefined) {
      check.fail(['client', field], `configures faultline's built-in client, but client.command runs your own client, which retries as it is written to; remove ${field}`, {key: true})
    }
  }
  // With target.replicas the command also finds every replica's trial proxy.
  const allowed = replicas ? [...CLIENT_COMMAND_TEMPLATES, 'replicaUrls', ...replicas.map((name) => `replicaUrl.${name}`)] : CLIENT_COMMAND_TEMPLATES
  check.templates(['client', 'command'], raw.command, allowed, 'client.command')
  check.templates(['client', 'env'], raw.env ?? {}, allowed, 'client.command')
  const command: ClientCommand = {
    command: raw.command,
    env: Object.fromEntries(Object.entries(raw.env ?? {}).map(([k, v]) => [k, String(v)])),
    timeout: check.duration(['client', 'timeout'], raw.timeout, SCENARIO_DEFAULTS.clientCommand.timeout),
  }
  if (raw.cwd !== undefined) command.cwd = path.resolve(dir, raw.cwd)
  return command
}
