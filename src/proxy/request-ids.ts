/** What identifies one client request in events, for every protocol. */
export interface RequestIds {
  /** Connection (HTTP/1.1, TCP) or HTTP/2 session the request came on. */
  conn?: string
  /** Proxy-assigned id of the request (`r12`); its deliveries share it. */
  request: string
  /** Trial id from faultline's own client marker. */
  trial?: string
  /** Attempt number from faultline's own client marker. */
  attempt?: number
  /** The operation's stable request id (Idempotency-Key or equivalent). */
  operation?: string
}

/** The first value of a header or metadata key that may repeat. */
export function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** Where a request's headers (HTTP) or metadata (gRPC) carry faultline's markers and the operation id. */
export interface MarkerKeys {
  trial: string
  attempt: string
  /** Keys of the operation's request id, lower case, first match wins. */
  operation: readonly string[]
}

/** The trial, attempt and operation a request's headers or metadata carry. */
export function markersFromHeaders(
  headers: Record<string, string | string[] | undefined>,
  keys: MarkerKeys,
): Pick<RequestIds, 'trial' | 'attempt' | 'operation'> {
  const trial = singleHeader(headers[keys.trial])
  const attemptText = singleHeader(headers[keys.attempt])
  const attempt = attemptText === undefined ? undefined : Number.parseInt(attemptText, 10) || undefined
  let operation: string | undefined
  for (const key of keys.operation) {
    operation = singleHeader(headers[key])
    if (operation !== undefined) break
  }
  return {trial, attempt, operation}
}
