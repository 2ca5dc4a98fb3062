import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {fileURLToPath} from 'node:url'
import {onTestFinished} from 'vitest'
import {cliEnv} from '../helpers/run-cli.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface RecordProcess {
  child: ChildProcess
  /** The recorder's own address, as it printed it: point the client here. */
  url: string
  output: () => {stdout: string; stderr: string}
  /** Ctrl-C (or another signal), then the exit code once the file is finished. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/**
 * The real binary, `faultline record --listen 127.0.0.1:0 …args`; resolves once it listens,
 * with the URL it printed. It is killed when the test ends if it still runs.
 */
export async function startRecordCli(args: string[]): Promise<RecordProcess> {
  // vitest sets NODE_ENV=test, which makes oclif look for TypeScript sources; users never have it.
  const env = cliEnv()
  const child = spawn(process.execPath, [BIN, 'record', '--listen', '127.0.0.1:0', ...args], {env, stdio: ['ignore', 'pipe', 'pipe']})
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await exited
  })
  let stdout = ''
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString()
      const m = /faultline record ((?:http|tcp):\/\/127\.0\.0\.1:\d+)/.exec(stdout)
      if (m) resolve(m[1] as string)
    })
    void exited.then(([code]) => reject(new Error(`faultline record exited ${code}: ${stdout}${stderr}`)))
  })
  const stop = async (signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> => {
    child.kill(signal)
    const [code] = await exited
    return code
  }
  return {child, url, output: () => ({stdout, stderr}), stop}
}
