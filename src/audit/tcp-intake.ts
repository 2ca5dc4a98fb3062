import {now} from '../events/event-log.js'
import {removePaths, selectJson} from '../jsonpath.js'
import type {RequestInfo} from '../proxy/request-match.js'
import type {SeenAttempt} from './attempt.js'
import {keyFromFields, type RequestKey} from './request-key.js'
import {bodyHash} from './route.js'

/** Where a framed-TCP audit reads its attempts' route, request key and pairing id. */
export interface TcpFramePaths {
  /** JSONPath of the field that names the route (`$.op`); without it every frame is route `frame`. */
  route?: string
  /** JSONPath of the operation's request key (`$.requestId`); without it the recognised key fields. */
  requestId?: string
  /** JSONPath of the reply-pairing id (`$.id`): left out of the frame's hash, as clients re-mint it. */
  replyId?: string
}

/**
 * A framed-TCP request frame as an attempt. Its route is `frame VALUE` (the value at
 * `paths.route`), its request key the value at `paths.requestId` (else a top-level
 * request_id/requestId/idempotency_key/idempotencyKey field), and its body hash that of the
 * frame without the pairing id, so a retry that only re-mints that id hashes the same.
 */
export function tcpAttempt(paths: TcpFramePaths): (info: RequestInfo) => SeenAttempt | undefined {
  return (info) => {
    if (info.request === undefined) return undefined
    const message = info.message
    const name = routeValue(message, paths.route)
    const hashed = paths.replyId === undefined ? message : removePaths(message, [paths.replyId])
    const key = paths.requestId === undefined ? keyFromFields(message, 'field') : keyAt(message, paths.requestId)
    return {
      request: info.request,
      time: now(),
      method: name,
      target: '',
      route: `frame ${name}`.trimEnd(),
      bodyHash: bodyHash(JSON.stringify(hashed ?? null)),
      ...(key ? {key} : {}),
      unsafe: true,
    }
  }
}

function routeValue(message: unknown, path: string | undefined): string {
  if (path === undefined) return ''
  const found = selectJson(message, path)
  return found.found && (typeof found.value === 'string' || typeof found.value === 'number') ? String(found.value) : ''
}

function keyAt(message: unknown, path: string): RequestKey | undefined {
  const found = selectJson(message, path)
  if (!found.found || !((typeof found.value === 'string' && found.value !== '') || typeof found.value === 'number')) return undefined
  return {source: `field ${path}`, value: String(found.value)}
}
