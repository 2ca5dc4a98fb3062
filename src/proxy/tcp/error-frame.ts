import {JSONPath} from 'jsonpath-plus'
import type {StatusAnswer} from '../fault.js'

/** The HTTP-style status the default error frame carries when the fault names none. */
const DEFAULT_FRAME_STATUS = 503

/**
 * The reply frame a status fault sends a framed-TCP client: the profile's `frame`, or
 * `{"error": {"code": 503, "message": "faultline: injected 503"}}`. When replies are paired by
 * id, the request's id (`id`, JSON text) is written at `replyId` so the client can pair it.
 */
export function errorFrame(answer: StatusAnswer, replyId: string | undefined, id: string | undefined): Buffer {
  const code = typeof answer.status === 'number' ? answer.status : DEFAULT_FRAME_STATUS
  const frame: unknown = answer.frame === undefined ? {error: {code, message: `faultline: injected ${code}`}} : structuredClone(answer.frame)
  if (replyId !== undefined && id !== undefined) setAt(frame, JSONPath.toPathArray(replyId).slice(1), JSON.parse(id))
  return Buffer.from(JSON.stringify(frame))
}

/** Set `value` at a plain member path (`$.id`, `$.meta.id`), creating objects on the way. */
function setAt(root: unknown, keys: string[], value: unknown): void {
  if (root === null || typeof root !== 'object' || keys.length === 0) return
  let node = root as Record<string, unknown>
  for (const key of keys.slice(0, -1)) {
    const next = node[key]
    if (next === null || typeof next !== 'object') node[key] = {}
    node = node[key] as Record<string, unknown>
  }
  node[keys[keys.length - 1] as string] = value
}
