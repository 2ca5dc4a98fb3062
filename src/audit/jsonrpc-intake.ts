import type {FaultAction} from '../proxy/fault.js'
import {parseJsonRpcRequest} from '../proxy/jsonrpc/message.js'
import type {RequestInfo} from '../proxy/request-match.js'
import {RuleSet, type FaultDecision} from '../proxy/rule-set.js'
import type {AuditObserver} from './observer.js'
import {jsonRpcAttempt, jsonRpcCallAttempt} from './rpc-intake.js'

/**
 * The audit's way into the JSON-RPC proxy. The proxy asks for a decision call by call, in
 * batch order, until one call gets a fault. At the first call of a request this reads the
 * whole body: every call of a batch is its own attempt (`r7.0`, `r7.1`, … for request r7), and
 * at most one of them, the first the observer gives a fault, is faulted.
 */
export class JsonRpcIntakeRules extends RuleSet {
  /** Per request: how many calls the proxy asked about so far, and the call to fault. */
  private readonly requests = new Map<string, {asked: number; fault?: {call: number; action: FaultAction}}>()

  constructor(private readonly observer: AuditObserver) {
    super(0)
  }

  override get size(): number {
    return 1
  }

  override decide(info: RequestInfo): FaultDecision | undefined {
    if (info.request === undefined) return undefined
    let state = this.requests.get(info.request)
    if (!state) {
      state = {asked: 0, fault: this.observe(info, info.request)}
      this.requests.set(info.request, state)
    }
    const call = state.asked
    state.asked += 1
    if (!state.fault || state.fault.call !== call) return undefined
    const {action} = state.fault
    return {rule: {id: 'audit', action}, action}
  }

  private observe(info: RequestInfo, request: string): {call: number; action: FaultAction} | undefined {
    const parsed = info.body === undefined ? undefined : parseJsonRpcRequest(info.body)
    if (parsed?.kind === 'batch' && parsed.calls.length > 1) {
      // Every parsed call has a method name, so each call gives an attempt and keeps its batch index.
      const attempts = parsed.calls.flatMap((call) => jsonRpcCallAttempt(info, call.raw, `${request}.${call.index}`) ?? [])
      return this.observer.observeBatch(request, attempts)
    }
    const attempt = jsonRpcAttempt(info)
    const action = attempt ? this.observer.observe(attempt) : undefined
    return action ? {call: 0, action} : undefined
  }
}
