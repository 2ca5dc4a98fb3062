/**
 * gRPC status codes (grpc/doc/statuscodes.md) by name and number. Scenarios and events
 * use the names; the wire carries the numbers in `grpc-status`.
 */
export const GRPC_STATUS_CODES = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const

export type GrpcStatusName = keyof typeof GRPC_STATUS_CODES

export const GRPC_STATUS_NAMES = Object.keys(GRPC_STATUS_CODES) as GrpcStatusName[]

/** `UNAVAILABLE` for 14; `CODE_99` for a number outside the table. */
export function grpcStatusName(code: number): string {
  return GRPC_STATUS_NAMES.find((name) => GRPC_STATUS_CODES[name] === code) ?? `CODE_${code}`
}

/** The gRPC status a client reads from an HTTP status (grpc/doc/http-grpc-status-mapping.md). */
export function grpcStatusForHttp(status: number): GrpcStatusName {
  if (status === 400) return 'INTERNAL'
  if (status === 401) return 'UNAUTHENTICATED'
  if (status === 403) return 'PERMISSION_DENIED'
  if (status === 404) return 'UNIMPLEMENTED'
  if ([429, 502, 503, 504].includes(status)) return 'UNAVAILABLE'
  return 'UNKNOWN'
}

export function isGrpcStatusName(name: string): name is GrpcStatusName {
  return Object.hasOwn(GRPC_STATUS_CODES, name)
}

/** Metadata keys of gRPC's retry design (gRFC A6) that faultline records. */
export const PREVIOUS_ATTEMPTS_HEADER = 'grpc-previous-rpc-attempts'
export const PUSHBACK_HEADER = 'grpc-retry-pushback-ms'

/**
 * gRFC A6 pushback: a non-negative integer of milliseconds means "retry after exactly this
 * long"; anything else present (negative, not a number) means "do not retry".
 */
export function parsePushback(value: string | undefined): {kind: 'none'} | {kind: 'delay'; ms: number} | {kind: 'stop'} {
  if (value === undefined) return {kind: 'none'}
  const trimmed = value.trim()
  if (!/^\d+$/.test(trimmed)) return {kind: 'stop'}
  const ms = Number(trimmed)
  return Number.isSafeInteger(ms) ? {kind: 'delay', ms} : {kind: 'stop'}
}

/** `grpc-message` is percent-encoded (PROTOCOL-HTTP2.md). */
export function encodeGrpcMessage(message: string): string {
  return Array.from(Buffer.from(message, 'utf8'))
    .map((b) => (b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('')
}

export function decodeGrpcMessage(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value
  if (text === undefined) return undefined
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
