/** Headers that carry credentials: never written to a recording unless asked. */
export const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'] as const

/** What a redacted header's value becomes. */
export const REDACTED = '[redacted]'

/** One header as a recording keeps it: name as sent, one value (repeated headers are repeated entries). */
export interface RecordedHeader {
  name: string
  value: string
}

/**
 * Which header values a recording leaves out: the secret headers plus the names given with
 * `--redact`, matched without regard to case. With `keepSecrets` nothing is redacted.
 */
export class Redaction {
  private readonly names: ReadonlySet<string>

  constructor(options: {extra?: readonly string[]; keepSecrets?: boolean} = {}) {
    this.names = options.keepSecrets ? new Set() : new Set([...SECRET_HEADERS, ...(options.extra ?? []).map((n) => n.trim().toLowerCase())])
  }

  /** Whether this header's value is left out. */
  hides(name: string): boolean {
    return this.names.has(name.toLowerCase())
  }

  headers(headers: readonly RecordedHeader[]): RecordedHeader[] {
    return headers.map((h) => (this.hides(h.name) ? {name: h.name, value: REDACTED} : h))
  }
}

/** A header map (Node or undici form, lower-case names) as a list, one entry per value. */
export function headerList(headers: Record<string, string | string[] | number | undefined>): RecordedHeader[] {
  const out: RecordedHeader[] = []
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) out.push({name, value: String(v)})
  }
  return out
}

/** Node's `rawHeaders` (name, value, name, value…) as a list: names as the client wrote them. */
export function rawHeaderList(raw: readonly string[]): RecordedHeader[] {
  const out: RecordedHeader[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) out.push({name: raw[i] as string, value: raw[i + 1] as string})
  return out
}
