import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {createInterface} from 'node:readline'
import {onTestFinished} from 'vitest'
import {ROOT} from './run-cli.js'

/**
 * Start a fixture server script (`node fixtures/servers/demo.mjs --port 0 …`) and resolve with
 * the URL from its `listening on http://…` (or `tcp://…`, `grpc://…`) line; it is stopped when the test ends.
 */
export async function startFixtureProcess(script: string, args: string[] = []): Promise<{url: string}> {
  const child = spawn(process.execPath, [script, '--port', '0', ...args], {cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit']})
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
  })
  const lines = createInterface({input: child.stdout})
  for await (const line of lines) {
    const match = /listening on ((?:http|tcp|grpc):\/\/127\.0\.0\.1:\d+)/.exec(line)
    if (match) return {url: match[1] as string}
  }
  throw new Error(`${script} exited before it was listening`)
}
