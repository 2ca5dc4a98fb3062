import {existsSync} from 'node:fs'
import {copyFile, mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {UsageError} from '../errors.js'

/** A bundled example: its scenario and the fixture server modules it starts. */
interface Example {
  scenario: string
  servers: string[]
  description: string
}

/** The package's fixtures folder, two levels above this file (dist/init or src/init). */
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))

export const EXAMPLES: Readonly<Record<string, Example>> = {
  demo: {
    scenario: 'demo.yaml',
    description: 'five counter and key-value endpoints whose delivery semantics are known by construction',
    servers: ['demo.mjs', 'counter.mjs', 'dedup-counter.mjs', 'durable-dedup-counter.mjs', 'ack-first-counter.mjs', 'kv-store.mjs', 'lib/app.mjs'],
  },
}

/**
 * Write a bundled example into `dir`: `<name>.yaml` and its servers under `servers/`, with the
 * scenario's server command pointed at them and its `cwd` set to the scenario's folder, so it
 * runs from anywhere. Nothing is overwritten unless `force`; the error lists what exists.
 * Returns the written paths, relative to `dir`.
 */
export async function writeExample(name: string, dir: string, force = false): Promise<string[]> {
  const example = EXAMPLES[name]
  if (!example) throw new UsageError(`--example ${name}: no such example; the examples are ${Object.keys(EXAMPLES).join(', ')}`)
  const scenarioFile = `${name}.yaml`
  const files = [scenarioFile, ...example.servers.map((s) => path.join('servers', s))]
  const existing = files.filter((f) => existsSync(path.join(dir, f)))
  if (existing.length > 0 && !force) {
    throw new UsageError(`--example ${name}: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''} in ${dir}; remove ${existing.length === 1 ? 'it' : 'them'}, run in another folder, or pass --force to overwrite`)
  }
  const scenario = relocate(await readFile(path.join(FIXTURES, example.scenario), 'utf8'))
  await writeFile(path.join(dir, scenarioFile), scenario)
  for (const server of example.servers) {
    const target = path.join(dir, 'servers', server)
    await mkdir(path.dirname(target), {recursive: true})
    await copyFile(path.join(FIXTURES, 'servers', server), target)
  }
  return files
}

/** The bundled scenario runs its servers from `fixtures/servers/` in the checkout; the written one from `servers/` beside it. */
function relocate(scenario: string): string {
  const command = /^(\s+)command: node fixtures\/servers\//m
  const match = command.exec(scenario)
  if (!match) throw new Error('the bundled example scenario no longer starts its server with `node fixtures/servers/…`')
  const indent = match[1] as string
  return scenario.replace(command, `${indent}# Relative paths in the server block resolve against this file's folder.\n${indent}cwd: .\n${indent}command: node servers/`)
}
