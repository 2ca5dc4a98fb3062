import type {IncomingMessage, ServerResponse} from 'node:http'
import type {RuleSet} from '../rule-set.js'
import type {RequestIds} from '../request-ids.js'
import type {ExchangeEnv} from './exchange.js'
import type {TrialOwner} from '../trial-owner.js'

/** What a layer over the HTTP proxy gets for one client request. */
export interface HttpRequestContext {
  env: ExchangeEnv
  rules: RuleSet
  req: IncomingMessage
  res: ServerResponse
  /** Ids the HTTP layer assigned; `operation` is read from the proxy's operation headers. */
  ids: RequestIds
  /** Set when the listener serves one trial's unmarked client: the layer numbers its attempts. */
  owner?: TrialOwner
}

/**
 * A protocol layered over HTTP (JSON-RPC is one). It takes a request over by returning true
 * and then owns the reply; returning false leaves the request to the plain HTTP exchange.
 * The HTTP proxy knows nothing of the layers composed over it.
 */
export type HttpRequestInterceptor = (ctx: HttpRequestContext) => boolean
