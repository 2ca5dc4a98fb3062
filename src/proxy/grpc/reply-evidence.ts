import type {IncomingHttpHeaders} from 'node:http2'
import {describeReplyMessage, describeRequestMessage, type RpcMethod} from '../../grpc/proto.js'
import {decodeGrpcMessage, GRPC_STATUS_CODES, grpcStatusName, PUSHBACK_HEADER} from '../../grpc/status.js'
import {singleHeader} from '../request-ids.js'
import {parseMessages} from './frames.js'

/**
 * The evidence of one reply for its 'reply-end' event: its gRPC status by name (`rpcStatus`,
 * `ok`), message, pushback, and, when `body` is given, the reply message decoded with the
 * proto (else base64). `bytes`: the reply's size; `body.data` may be only its first bytes.
 */
export function replyEvidence(trailers: IncomingHttpHeaders, bytes: number, body?: {method?: RpcMethod; data: Buffer}): Record<string, unknown> {
  const statusText = singleHeader(trailers['grpc-status'])
  const code = statusText === undefined ? GRPC_STATUS_CODES.UNKNOWN : Number(statusText)
  const detail: Record<string, unknown> = {bytes, rpcStatus: grpcStatusName(code), ok: code === 0}
  if (statusText === undefined) detail.missingStatus = true
  const message = decodeGrpcMessage(trailers['grpc-message'])
  if (message) detail.grpcMessage = message
  const pushback = singleHeader(trailers[PUSHBACK_HEADER])
  if (pushback !== undefined) detail.pushbackMs = pushback
  if (body) detail.body = describeBody(body.method, body.data, bytes)
  return detail
}

/** A unary request (one length-prefixed message) as evidence text: decoded with the proto, else base64. */
export function requestEvidence(method: RpcMethod | undefined, body: Buffer): string {
  return describeBody(method, body, body.length, describeRequestMessage)
}

function describeBody(method: RpcMethod | undefined, data: Buffer, bytes: number, describe = describeReplyMessage): string {
  if (data.length === bytes) {
    try {
      const messages = parseMessages(data)
      if (messages.length === 0) return ''
      if (messages.length === 1) {
        const only = messages[0] as (typeof messages)[number]
        return describe(method, only.data, only.compressed)
      }
    } catch {
      // not well-formed: keep the raw bytes
    }
  }
  return `base64:${data.toString('base64')}`
}
