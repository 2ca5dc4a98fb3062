import {mkdtempSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, expect} from 'vitest'
import {EXIT, ScenarioError} from '../../src/errors.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'

const dirs: string[] = []

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

/** A fresh temp directory with the given files (relative path → content), removed after the test. */
export function writeFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-scenario-'))
  dirs.push(dir)
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name)
    mkdirSync(path.dirname(file), {recursive: true})
    writeFileSync(file, content)
  }
  return dir
}

/** `text` with each `from` replaced once by `to`; fails loudly when a `from` is absent. */
export function edit(text: string, ...pairs: Array<[string, string]>): string {
  let out = text
  for (const [from, to] of pairs) {
    if (!out.includes(from)) throw new Error(`edit(): ${JSON.stringify(from)} not found`)
    out = out.replace(from, to)
  }
  return out
}

/** The scenario from the design brief, verbatim. */
export const EXAMPLE = `version: 1
target:
  protocol: http
  url: http://127.0.0.1:4100
  server:                       # optional: faultline starts it, waits, stops it
    command: node fixtures/servers/counter.mjs --port 4100
    ready: { http: /health }    # or { tcp: true }
client:
  timeout: 300ms
  attempts: 4                   # including the first
  backoff: 20ms
endpoints:
  - name: increment
    request:
      method: POST
      path: /counters/{{key}}/increment
      headers: { Idempotency-Key: "{{requestId}}" }
      body: { by: 1 }
    effect:                     # probe sent straight to the server, never through the proxy
      request: { method: GET, path: /counters/{{key}} }
      select: $.value           # JSONPath to a number (effect probe) or to any JSON (state snapshot)
    expect: exactly-once        # at-least-once | at-most-once | exactly-once | idempotent | none
profiles: [drop-request, drop-reply, duplicate, delay-past-timeout]
trials: 10                      # per endpoint and profile
`

/** The smallest valid scenario. */
export const MINIMAL = `version: 1
target:
  protocol: http
  url: http://127.0.0.1:4100
endpoints:
  - name: put
    request:
      method: put
      path: /things/{{key}}
`

/** Load `text` as scenario.yaml, with `extra` files beside it, from a fresh temp folder. */
export async function loadText(text: string, extra: Record<string, string> = {}) {
  const dir = writeFiles({'scenario.yaml': text, ...extra})
  return loadScenario(path.join(dir, 'scenario.yaml'), {env: {}})
}

/** The one-line scenario error (exit 2) that loading `text` fails with, its temp folder cut from paths. */
export async function loadFailure(text: string, extra: Record<string, string> = {}): Promise<string> {
  const dir = writeFiles({'scenario.yaml': text, ...extra})
  const error = await loadScenario(path.join(dir, 'scenario.yaml'), {env: {}}).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ScenarioError)
  expect((error as ScenarioError).exitCode).toBe(EXIT.usage)
  expect((error as ScenarioError).message).not.toContain('\n')
  return (error as ScenarioError).message.replaceAll(dir + path.sep, '')
}
