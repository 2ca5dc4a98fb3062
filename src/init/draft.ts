/**
 * A scenario as `init` proposes it: the fields of the scenario file, plus the comments that
 * say what was read from the source and what was guessed. The writer turns it into YAML.
 */

/** The reply one clean execution got in the recording (templates in place of its values). */
export interface RecordedReply {
  status: number
  body?: unknown
}

export interface DraftEffect {
  request: Record<string, unknown>
  select: string
  oracle?: 'count' | 'state'
}

export interface DraftEndpoint {
  name: string
  /** The request as the scenario file writes it for the target's protocol. */
  request: Record<string, unknown>
  effect?: DraftEffect
  /** A contract, or `none`. */
  expect: string
  /** Why that expectation: written beside it, always saying it is a guess to confirm. */
  expectNote: string
  volatile: string[]
  recorded?: RecordedReply
  /** Comment lines above the endpoint: where it came from, what was guessed. */
  notes: string[]
}

export interface DraftScenario {
  /** Comment lines at the top of the file. */
  header: string[]
  target: Record<string, unknown>
  client?: Record<string, unknown>
  endpoints: DraftEndpoint[]
  /** Profiles every endpoint runs (`check --from … --profiles`); none: the defaults. */
  profiles?: string[]
  /** Comment lines at the end: what the source held that is not an endpoint. */
  footer: string[]
}
