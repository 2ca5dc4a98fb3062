/** One gRPC or framed-TCP message as a line of the recording. */
export interface MessageLine {
  /** ISO 8601 time the proxy saw it. */
  time: string
  direction: 'request' | 'reply' | 'error'
  /** gRPC: `package.Service/Method`; TCP: the value at `--route` in the request, else `frame`. */
  route: string
  /** Client connection and request ids (`c1`, `r4`): a reply names the request it answers. */
  conn?: string
  request?: string
  /** The decoded message: JSON as JSON, a message the .proto cannot decode as {base64}, other text as a string. */
  message?: unknown
  /** Reply size in bytes. */
  bytes?: number
  /** gRPC replies: the status name (`OK`, `UNAVAILABLE`), its message, and whether it is OK. */
  status?: string
  statusMessage?: string
  ok?: boolean
  /** direction 'error': what went wrong. */
  error?: string
}

/** Evidence text from the proxy's events (`base64:…`, JSON, or plain text) as a message. */
export function decodeEvidence(text: string): unknown {
  if (text.startsWith('base64:')) return {base64: text.slice('base64:'.length)}
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}
