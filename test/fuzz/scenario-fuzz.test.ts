import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import fc from 'fast-check'
import {afterEach, describe, expect, it} from 'vitest'
import {parseDocument} from 'yaml'
import {ScenarioError} from '../../src/errors.js'
import {DURATION_PATTERN} from '../../src/scenario/duration.js'
import {loadScenario} from '../../src/scenario/load-scenario.js'
import {formatPath, type PathSegment} from '../../src/scenario/source.js'
import {cliEnv, ROOT} from '../helpers/run-cli.js'
import {testDir} from '../helpers/temp-dir.js'
import {liveGroupMembers} from '../supervisor/helpers.js'

/**
 * Scenario files with one field made wrong — a wrong type, a number past its bound, a
 * negative one, 1e300, a duration past the longest timer, an unknown key — must each be
 * refused with exit 2 and one line naming file:line:column and the field. Most cases go
 * through the loader in-process; a handful through the real binary.
 */

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'schema/scenario.schema.json'), 'utf8')) as Record<
  string,
  unknown
>
/** A small valid scenario (test/fixtures/naive-expects-exactly-once.yaml, templates quoted so the yaml package can edit it). */
const BASE = `version: 1
target:
  protocol: http
  url: "http://127.0.0.1:{{port}}"
  server:
    command: "node fixtures/servers/counter.mjs --port {{port}}"
    ready: { http: /health }
    startupTimeout: 10s
client:
  timeout: 300ms
  attempts: 3
  backoff: 10ms
  backoffFactor: 2
endpoints:
  - name: increment
    request:
      method: POST
      path: "/counters/{{key}}/increment"
      body: { by: 1 }
    effect:
      request: { method: GET, path: "/counters/{{key}}" }
      select: $.value
    expect: exactly-once
    trials: 2
profiles: [drop-reply]
trials: 2
settle: 50ms
concurrency: 2
seed: 1
`
const SEED = 20261130

/** The schema node at a JSON pointer such as `#/definitions/client/properties/attempts`. */
function schemaAt(pointer: string): {maximum?: number; minimum?: number} {
  let node: unknown = SCHEMA
  for (const key of pointer.replace(/^#\//, '').split('/')) node = (node as Record<string, unknown>)[key]
  return node as {maximum?: number; minimum?: number}
}

type Kind = 'count' | 'number' | 'duration' | 'string' | 'list' | 'mapping'
interface Field {
  path: PathSegment[]
  kind: Kind
  /** Where its bounds are in the schema (counts and numbers). */
  schema?: string
}

/** The fields of the base scenario a case may break, with what they hold. */
const FIELDS: Field[] = [
  {path: ['trials'], kind: 'count', schema: '#/properties/trials'},
  {path: ['concurrency'], kind: 'count', schema: '#/properties/concurrency'},
  {path: ['seed'], kind: 'count', schema: '#/properties/seed'},
  {path: ['client', 'attempts'], kind: 'count', schema: '#/definitions/client/properties/attempts'},
  {
    path: ['client', 'backoffFactor'],
    kind: 'number',
    schema: '#/definitions/client/properties/backoffFactor',
  },
  {path: ['endpoints', 0, 'trials'], kind: 'count', schema: '#/definitions/endpoint/properties/trials'},
  {path: ['client', 'timeout'], kind: 'duration'},
  {path: ['client', 'backoff'], kind: 'duration'},
  {path: ['settle'], kind: 'duration'},
  {path: ['target', 'server', 'startupTimeout'], kind: 'duration'},
  {path: ['target', 'url'], kind: 'string'},
  {path: ['target', 'server', 'command'], kind: 'string'},
  {path: ['endpoints', 0, 'name'], kind: 'string'},
  {path: ['endpoints', 0, 'request', 'method'], kind: 'string'},
  {path: ['endpoints', 0, 'request', 'path'], kind: 'string'},
  {path: ['endpoints', 0, 'effect', 'select'], kind: 'string'},
  {path: ['endpoints', 0, 'expect'], kind: 'string'},
  {path: ['profiles'], kind: 'list'},
  {path: ['client'], kind: 'mapping'},
  {path: ['target', 'server'], kind: 'mapping'},
  {path: ['endpoints', 0], kind: 'mapping'},
  {path: ['endpoints', 0, 'effect'], kind: 'mapping'},
]

interface Case {
  path: PathSegment[]
  /** The value written there, or a key added to the mapping there. */
  set?: unknown
  addKey?: string
}

const aMapping = fc.constant({x: 1})
const aList = fc.constant([1, 'two'])
const aBoolean = fc.boolean()
const huge = fc.oneof(
  fc.constantFrom(1e9, 1e300, 2 ** 53, Number.MAX_VALUE),
  fc.double({min: 1e10, max: 1e300, noNaN: true}),
)
const negative = fc.oneof(fc.integer({min: -1e9, max: -1}), fc.constantFrom(-0.5, -1e300))
/** Text that is not a duration, or a duration past 2^31−1 ms. */
const badDurationText = fc.oneof(
  fc.constantFrom('72000m', '1e300', '-5ms', 'NaN', 'Infinity', '3 secs', '1h', ''),
  fc.integer({min: 35_792, max: 1e9}).map((n) => `${n}m`),
  fc.string({maxLength: 12}).filter((s) => !DURATION_PATTERN.test(s)),
)
/** No field of the format is spelt like this, so it is always unknown. */
const unknownKey = fc.stringMatching(/^x[A-Z][a-z]{2,10}$/)

/** One way to make `field` wrong. */
function breakField(field: Field): fc.Arbitrary<Case> {
  const at = (set: fc.Arbitrary<unknown>) => set.map((value) => ({path: field.path, set: value}))
  switch (field.kind) {
    case 'count':
    case 'number': {
      const {maximum = Number.MAX_VALUE, minimum = 0} = schemaAt(field.schema as string)
      return fc.oneof(
        at(
          fc.oneof(
            huge.filter((n) => n > maximum),
            fc.constant(maximum + 1),
          ),
        ),
        at(negative.filter((n) => n < minimum)),
        at(fc.oneof(aBoolean, aList, aMapping, fc.constantFrom('ten', '1e300', '72000m'))),
        field.kind === 'count' ? at(fc.constantFrom(minimum + 0.5)) : at(fc.constant(minimum - 0.5)),
      )
    }
    case 'duration':
      return fc.oneof(
        at(badDurationText),
        at(huge.filter((n) => n > 2 ** 31 - 1)),
        at(negative),
        at(fc.oneof(aBoolean, aList, aMapping)),
      )
    case 'string':
      return at(fc.oneof(huge, negative, aBoolean, aList, aMapping))
    case 'list':
      return at(
        fc.oneof(
          huge,
          fc.constant('drop-reply'),
          aMapping,
          fc.constant(Array.from({length: 101}, () => 'drop-reply')),
        ),
      )
    case 'mapping':
      return fc.oneof(
        unknownKey.map((key) => ({path: field.path, addKey: key})),
        at(fc.oneof(huge, aBoolean, fc.constant('text'))),
      )
  }
}

const aCase = fc.constantFrom(...FIELDS).chain(breakField)

/** The base scenario with the case applied, as YAML text. */
function render(c: Case): string {
  const doc = parseDocument(BASE)
  if (c.addKey !== undefined) {
    doc.setIn([...c.path, c.addKey], 1)
  } else {
    doc.setIn(c.path, c.set)
  }
  return String(doc)
}

/** What the one line must name: the broken field, or the added key inside it. */
function named(c: Case): string {
  return formatPath(c.addKey === undefined ? c.path : [...c.path, c.addKey])
}

describe('fuzz: scenarios with one field wrong are refused with one positioned line', () => {
  it('in-process: 60 seeded cases', async () => {
    const dir = testDir('fl-fuzz-')
    const file = join(dir, 'scenario.yaml')
    await fc.assert(
      fc.asyncProperty(aCase, async (c) => {
        writeFileSync(file, render(c))
        const error = await loadScenario(file, {env: {}}).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(error, `accepted: ${JSON.stringify(c)}`).toBeInstanceOf(ScenarioError)
        const {message, exitCode} = error as ScenarioError
        expect(exitCode).toBe(2)
        expect(message).not.toContain('\n')
        expect(message.startsWith(`${file}:`)).toBe(true)
        expect(message.slice(file.length)).toMatch(/^:\d+:\d+: /)
        expect(message).toContain(named(c))
      }),
      {seed: SEED, numRuns: 60},
    )
  })

  describe('the real binary', () => {
    const children: number[] = []
    afterEach(() => {
      for (const pid of children.splice(0)) {
        try {
          process.kill(-pid, 'SIGKILL')
        } catch {
          // already gone
        }
      }
    })

    /** `faultline check FILE` in its own process group and TMPDIR; fails if it runs past 20 s. */
    async function checkFile(text: string) {
      const dir = testDir('fl-fuzz-cli-')
      const file = join(dir, 'scenario.yaml')
      writeFileSync(file, text)
      const env = cliEnv({TMPDIR: dir})
      const child = spawn(process.execPath, [BIN, 'check', file], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
      children.push(child.pid as number)
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.stdout.resume()
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      const [code] = (await once(child, 'close')) as [number | null]
      clearTimeout(timer)
      return {
        code,
        stderr,
        file,
        left: readdirSync(dir).filter((n) => n !== 'scenario.yaml'),
        group: liveGroupMembers(child.pid as number),
      }
    }

    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefg'.split('').map((n, i) => `${n}: &${n} [${Array(10).fill(`*${'abcdefg'[i]}`).join(', ')}]`),
    ].join('\n')
    const fixed: Array<[string, string]> = [
      ['trials: 1e9', BASE.replace('\ntrials: 2', '\ntrials: 1e9')],
      ['client.timeout: 72000m', BASE.replace('timeout: 300ms', 'timeout: 72000m')],
      ['settle: 1e300', BASE.replace('settle: 50ms', 'settle: 1e300')],
      ['seed: 1e300', BASE.replace('seed: 1', 'seed: 1e300')],
      ['a YAML alias bomb', `${bomb}\n${BASE}`],
    ]
    const generated = fc.sample(
      aCase.map((c) => [JSON.stringify(c), render(c)] as [string, string]),
      {seed: SEED, numRuns: 3},
    )

    it.each([...fixed, ...generated])(
      '%s: exit 2, one line file:line:col, no stack trace, nothing left',
      async (_name, text) => {
        const r = await checkFile(text)
        expect(r.code, r.stderr).toBe(2)
        const lines = r.stderr.trimEnd().split('\n')
        expect(lines).toHaveLength(1)
        expect(lines[0]?.startsWith(`faultline: ${r.file}:`)).toBe(true)
        expect(lines[0]?.slice(`faultline: ${r.file}`.length)).toMatch(/^:\d+:\d+: /)
        expect(r.stderr).not.toMatch(/internal error|\bat .*\.js:\d+/)
        expect(r.left).toEqual([])
        expect(r.group).toEqual([])
      },
    )
  })
})
