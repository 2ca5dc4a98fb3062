import type {RawScenario} from './raw-scenario.js'
import {SCENARIO_DEFAULTS} from './scenario-defaults.js'
import type {Checker} from './scenario-checker.js'
import type {TcpTarget} from './types.js'

/** A tcp target's framing and the JSONPaths that find ids and errors in its frames. */
export function buildTcpTarget(check: Checker, raw: RawScenario['target']): TcpTarget {
  const at = ['target']
  const f = raw.framing ?? {type: 'ndjson' as const}
  const maxFrameBytes = f.maxFrameBytes ?? SCENARIO_DEFAULTS.tcp.maxFrameBytes
  if (f.type === 'ndjson') {
    for (const name of ['headerBytes', 'byteOrder'] as const) {
      if (f[name] !== undefined) check.fail([...at, 'framing', name], `only length-prefixed framing has ${name}`, {key: true})
    }
  }
  const headerBytes = f.headerBytes ?? 4
  if (f.type === 'length-prefixed' && f.maxFrameBytes !== undefined && f.maxFrameBytes > 2 ** (8 * headerBytes) - 1) {
    check.fail([...at, 'framing', 'maxFrameBytes'], `a ${headerBytes}-byte length header describes at most ${2 ** (8 * headerBytes) - 1} bytes`)
  }
  const tcp: TcpTarget = {
    framing:
      f.type === 'ndjson'
        ? {type: 'ndjson', maxFrameBytes}
        : {type: 'length-prefixed', headerBytes, byteOrder: f.byteOrder ?? 'big', maxFrameBytes: Math.min(maxFrameBytes, 2 ** (8 * headerBytes) - 1)},
  }
  if (raw.replyId !== undefined) tcp.replyId = check.jsonPath([...at, 'replyId'], raw.replyId)
  if (raw.requestId !== undefined) tcp.requestId = check.jsonPath([...at, 'requestId'], raw.requestId as string)
  if (raw.errorField !== undefined) tcp.errorField = check.jsonPath([...at, 'errorField'], raw.errorField)
  return tcp
}
