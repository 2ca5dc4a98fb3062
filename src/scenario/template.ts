import {randomUUID} from 'node:crypto'
import {UsageError} from '../errors.js'

/**
 * Templates in scenario strings: `{{key}}`, `{{requestId}}`, `{{attempt}}`, `{{uuid}}`,
 * `{{trial}}`, `{{port}}`, `{{runDir}}`, `{{proxyUrl}}`, `{{proxyHost}}`, `{{proxyPort}}`, `{{replicationUrl}}`, `{{replicaUrls}}`, `{{replicaUrl.NAME}}` and `{{env.NAME}}`. Spaces inside the braces are allowed.
 * Unknown names are rejected when the scenario loads (load-scenario.ts), so rendering only
 * fails when the caller did not supply a value it was asked for.
 */
export const TEMPLATE_NAMES = ['key', 'requestId', 'attempt', 'uuid', 'trial', 'port', 'runDir', 'proxyUrl', 'proxyHost', 'proxyPort', 'replicationUrl', 'replicaUrls', 'replicaUrl.NAME', 'env.NAME'] as const

/** What each template name means; used by error messages and docs. */
export const TEMPLATE_HELP: Record<(typeof TEMPLATE_NAMES)[number], string> = {
  key: 'a fresh key per trial, so trials never see each other’s effects',
  requestId: 'the operation’s request ID, fresh per operation and stable across its retries',
  attempt: 'the attempt number within the operation (1 = the first send)',
  uuid: 'a fresh UUID per render',
  trial: 'the trial number',
  port: 'a free port chosen once per run (target.url and target.server only)',
  runDir: 'a fresh directory per run, the same across restarts (target.server only): keep server data there',
  proxyUrl: 'where the trial’s own proxy listens, in the target’s URL form (client.command only)',
  proxyHost: 'the host of the trial’s own proxy (client.command only)',
  proxyPort: 'the port of the trial’s own proxy (client.command only)',
  replicationUrl: 'where a replica sends its replication traffic: the primary gets the first backup’s URL, a backup the primary’s (target.replicas[].server only)',
  replicaUrls: 'the trial’s own proxy of every replica, comma-separated, primary first (client.command with target.replicas only)',
  'replicaUrl.NAME': 'the trial’s own proxy of the replica named NAME (client.command with target.replicas only)',
  'env.NAME': 'the environment variable NAME (an error when it is not set)',
}

/** Values for one render. The caller decides their lifetime (per run, trial, operation, attempt). */
export interface TemplateVars {
  key?: string
  requestId?: string
  attempt?: number
  trial?: number | string
  port?: number
  /** The run's own directory (absolute path), stable across server restarts. */
  runDir?: string
  /** A client command's trial proxy: its URL, host and port. */
  proxyUrl?: string
  proxyHost?: string
  proxyPort?: number
  /** target.replicas: the peer URL a replica replicates to (primary → backup, backup → primary). */
  replicationUrl?: string
  /** A client command's trial proxies on a replicated target, primary first, by replica name. */
  replicaUrls?: ReadonlyArray<{name: string; url: string}>
  env?: NodeJS.ProcessEnv
  /** Source of `{{uuid}}`; defaults to crypto.randomUUID. Called at most once per render. */
  uuid?: () => string
}

/** `{{name}}` with a name-like inside; anything else between braces (`{{}}`, `{{ a b }}`) is text. */
const TEMPLATE = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g
const ENV_NAME = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/
const REPLICA_URL_NAME = /^replicaUrl\.([A-Za-z_][\w-]*)$/

/** Whether `name` (as written between the braces) is a template faultline knows. */
export function isTemplateName(name: string): boolean {
  return ENV_NAME.test(name) || REPLICA_URL_NAME.test(name) || (TEMPLATE_NAMES as readonly string[]).includes(name)
}

/** The template names used in a string, in order of first use. */
function namesIn(text: string, into: string[]): void {
  for (const match of text.matchAll(TEMPLATE)) {
    const name = match[1] as string
    if (!into.includes(name)) into.push(name)
  }
}

/**
 * Every template name used anywhere inside `value` (strings inside objects and arrays;
 * object keys are not templated), in order of first use, without duplicates.
 */
export function findTemplateNames(value: unknown): string[] {
  const names: string[] = []
  const walk = (v: unknown): void => {
    if (typeof v === 'string') namesIn(v, names)
    else if (Array.isArray(v)) v.forEach(walk)
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk)
  }
  walk(value)
  return names
}

/** A `{{` with no `}}` after it (`/a/{{key}/b`): a likely typo. */
export function hasUnclosedTemplate(text: string): boolean {
  return /\{\{(?![^{}]*\}\})/.test(text.replace(TEMPLATE, ''))
}

/**
 * Render every string inside `value` (objects and arrays are copied, never mutated; other
 * values pass through). Every value is substituted as text, so a string that is exactly
 * one template stays a string: `"{{attempt}}"` renders to `"2"`. All `{{uuid}}` in one
 * render share one UUID, so a path and a body can name the same fresh id.
 */
export function renderTemplate(value: unknown, vars: TemplateVars): unknown {
  let uuid: string | undefined
  const lookup = (name: string): string => {
    const env = ENV_NAME.exec(name)
    if (env) {
      const envName = env[1] as string
      const found = (vars.env ?? process.env)[envName]
      if (found === undefined) {
        throw new UsageError(
          `environment variable ${envName} is not set (the scenario uses {{env.${envName}}})`,
        )
      }
      return found
    }
    const replica = REPLICA_URL_NAME.exec(name)
    if (replica || name === 'replicaUrls') {
      if (vars.replicaUrls === undefined) throw new TypeError(`renderTemplate: no value for {{${name}}}`)
      if (!replica) return vars.replicaUrls.map((r) => r.url).join(',')
      const found = vars.replicaUrls.find((r) => r.name === replica[1])
      if (!found) throw new TypeError(`renderTemplate: no replica named ${replica[1]} for {{${name}}}`)
      return found.url
    }
    switch (name) {
      case 'uuid':
        uuid ??= (vars.uuid ?? randomUUID)()
        return uuid
      case 'key':
      case 'requestId':
      case 'attempt':
      case 'trial':
      case 'port':
      case 'runDir':
      case 'proxyUrl':
      case 'proxyHost':
      case 'proxyPort':
      case 'replicationUrl': {
        const v = vars[name]
        if (v === undefined) throw new TypeError(`renderTemplate: no value for {{${name}}}`)
        return String(v)
      }
      default:
        throw new TypeError(`renderTemplate: unknown template {{${name}}}`)
    }
  }
  const render = (v: unknown): unknown => {
    if (typeof v === 'string')
      return v.includes('{{') ? v.replace(TEMPLATE, (_m, name: string) => lookup(name)) : v
    if (Array.isArray(v)) return v.map(render)
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, render(item)]))
    }
    return v
  }
  return render(value)
}

/** renderTemplate for a single string. */
export function renderString(text: string, vars: TemplateVars): string {
  return renderTemplate(text, vars) as string
}
