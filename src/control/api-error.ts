/**
 * An error the admin API answers with: `{"error":"<message>","status":<status>}` plus a
 * newline, like Toxiproxy. `extra` adds fields to that body (populate lists what it created).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra?: Record<string, unknown>,
    /** Answer, then close the connection (what the client still sends is not read). */
    readonly closeConnection = false,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  toBody(): string {
    return `${JSON.stringify({error: this.message, status: this.status, ...this.extra})}\n`
  }
}

/** Toxiproxy's messages, word for word. */
export const apiErrors = {
  badRequestBody: (why: string, options: {closeConnection?: boolean} = {}) =>
    new ApiError(400, `bad request body: ${why}`, undefined, options.closeConnection ?? false),
  missingField: (field: string) => new ApiError(400, `missing required field: ${field}`),
  proxyNotFound: () => new ApiError(404, 'proxy not found'),
  proxyExists: () => new ApiError(409, 'proxy already exists'),
  invalidStream: () => new ApiError(400, 'stream was invalid, can be either upstream or downstream'),
  invalidToxicType: () => new ApiError(400, 'invalid toxic type'),
  toxicExists: () => new ApiError(409, 'toxic already exists'),
  toxicNotFound: () => new ApiError(404, 'toxic not found'),
  /** faultline's own: a `protocol` no module has registered. */
  invalidProtocol: (protocol: string, known: string[]) =>
    new ApiError(400, `invalid protocol: ${protocol} (known: ${known.join(', ')})`),
  /** A bind or other system failure: 500 with the system's text. */
  system: (err: unknown) => new ApiError(500, err instanceof Error ? err.message : String(err)),
}
