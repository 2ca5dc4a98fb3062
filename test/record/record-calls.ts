import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {HarEntry} from '../../src/record/har.js'
import {sendCalls, type CallSpec} from '../helpers/send-calls.js'
import {testDir} from '../helpers/temp-dir.js'
import {startRecordCli} from './record-process.js'

export interface RecordedHar {
  /** The HAR file `faultline record` wrote. */
  file: string
  har: {log: {version: string; entries: HarEntry[]}}
  /** What the client got for each call, in order. */
  statuses: number[]
  /** `faultline record`'s exit code after Ctrl-C. */
  code: number | null
}

/**
 * A client driving `upstream` through the real `faultline record` binary: start it in front of
 * the server, send the calls to it, Ctrl-C it, and read the HAR it finished.
 */
export async function recordCallsThroughCli(upstream: string, calls: CallSpec[], options: {protocol?: 'http' | 'jsonrpc'} = {}): Promise<RecordedHar> {
  const file = join(testDir('fl-recorded-'), 'traffic.har')
  const recorder = await startRecordCli(['--protocol', options.protocol ?? 'http', '--upstream', upstream, '--out', file, '--quiet'])
  const statuses = await sendCalls(recorder.url, calls)
  const code = await recorder.stop('SIGINT')
  return {file, har: JSON.parse(readFileSync(file, 'utf8')) as RecordedHar['har'], statuses, code}
}
