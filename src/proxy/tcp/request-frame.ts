import {selectJson} from '../../jsonpath.js'

/**
 * The reserved top-level field of a JSON request frame that carries faultline's trial and
 * attempt markers: `{"$faultline": {"trial": "t0.3", "attempt": 2}, ...}`. The proxy reads it
 * and strips it before the frame goes to the server; frames without it pass byte for byte.
 */
export const MARKER_FIELD = '$faultline'

/** A request frame as the proxy reads it. */
export interface RequestFrame {
  /** The parsed message, without the marker field. */
  message: unknown
  /** The bytes to send to the server (the original bytes when there was no marker). */
  forward: Buffer
  trial?: string
  attempt?: number
  /** Pairing id (JSON text of the value at `replyId`); undefined when replies come in order. */
  id?: string
  /** The operation's stable request id, from `requestId`. */
  operation?: string
}

/** A request frame that cannot be forwarded; the link closes with this message. */
export class RequestFrameError extends Error {
  constructor(
    message: string,
    /** Extra fields for the 'error' event. */
    readonly detail?: Record<string, unknown>,
  ) {
    super(message)
  }
}

/** Parse a request frame, strip faultline's marker, and read its pairing and operation ids. */
export function readRequestFrame(payload: Buffer, paths: {replyId?: string; requestId?: string}): RequestFrame {
  let message: unknown
  try {
    message = JSON.parse(payload.toString('utf8'))
  } catch (err) {
    throw new RequestFrameError(`malformed request frame: not JSON (${(err as Error).message})`, {bytes: payload.length})
  }
  const frame: RequestFrame = {message, forward: payload}
  if (message !== null && typeof message === 'object' && !Array.isArray(message) && MARKER_FIELD in message) {
    const {[MARKER_FIELD]: marker, ...rest} = message as Record<string, unknown>
    const m = (marker ?? {}) as {trial?: unknown; attempt?: unknown}
    frame.trial = m.trial === undefined ? undefined : String(m.trial)
    frame.attempt = typeof m.attempt === 'number' ? m.attempt : undefined
    frame.message = rest
    frame.forward = Buffer.from(JSON.stringify(rest))
  }
  if (paths.replyId !== undefined) {
    const found = selectJson(frame.message, paths.replyId)
    if (!found.found || (typeof found.value !== 'string' && typeof found.value !== 'number')) {
      throw new RequestFrameError(`request frame has no id at ${paths.replyId}; replies are paired by it`)
    }
    frame.id = JSON.stringify(found.value)
  }
  if (paths.requestId !== undefined) {
    const found = selectJson(frame.message, paths.requestId)
    if (found.found && (typeof found.value === 'string' || typeof found.value === 'number')) frame.operation = String(found.value)
  }
  return frame
}
