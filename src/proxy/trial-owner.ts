import {matchesRequest, type RequestInfo, type RuleMatch} from './request-match.js'

/**
 * A listener that serves one trial's client alone (a user's client command in a check run):
 * that client carries no trial or attempt markers, so everything that arrives through the
 * listener belongs to `trial`, and the requests that match the endpoint's `match` are the
 * attempts of its one operation, numbered in the order the proxy reads them. Requests that
 * do not match pass through with the trial but without an attempt number. The listeners of
 * one trial on a replicated target (one per replica) share one owner, so the attempts through
 * any of them are numbered together, in the order the proxies read them.
 */
export class TrialOwner {
  private attempts = 0

  constructor(
    readonly trial: string,
    private readonly match: RuleMatch,
  ) {}

  /**
   * The attempt number of a request that carries no marker of its own: the next one when any
   * of `infos` (a JSON-RPC batch has one per call) matches the endpoint, else undefined.
   */
  attemptOf(infos: RequestInfo[]): number | undefined {
    if (!infos.some((info) => matchesRequest(this.match, info))) return undefined
    this.attempts += 1
    return this.attempts
  }

  /** Attempts seen so far. */
  get count(): number {
    return this.attempts
  }
}
