import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Readable} from 'node:stream'
import type {FaultAction} from '../fault.js'
import {Exchange, type ExchangeEnv, type PreparedRequest} from '../http/exchange.js'
import type {BufferedReply} from '../http/upstream-delivery.js'
import type {RequestIds} from '../request-ids.js'
import {batchWithout, callAlone, replyWithout, type JsonRpcCall} from './message.js'

/** A batch, and the call in it a fault hit. */
export interface BatchCall {
  items: unknown[]
  call: JsonRpcCall
}

/**
 * A fault on one call of a JSON-RPC batch. That call is the request under test and every
 * fault in faults/ runs on it through the HTTP exchange's primitives; three of them read
 * differently for one call of many:
 * - a delivery sends the whole batch, a copy (`deliverCopy`) sends the call alone;
 * - `hold` (the call is never answered) answers the rest of the batch without the call's
 *   response: the reply already read (drop-reply), or the batch without the call delivered
 *   now (drop-request), which is no delivery of the call;
 * - 'fault' events name the call (its index, method and id).
 * The other calls of the batch are delivered once and answered as the server answered them.
 */
export class BatchCallExchange extends Exchange {
  /** The reply to the whole batch, once read (a held call's response is cut from it). */
  private read?: BufferedReply
  private readonly alone: Buffer

  constructor(
    env: ExchangeEnv,
    req: IncomingMessage,
    res: ServerResponse,
    ids: RequestIds,
    fault: FaultAction,
    prepared: PreparedRequest,
    private readonly batch: BatchCall,
  ) {
    super(env, req, res, ids, fault, prepared)
    this.alone = callAlone(batch.call)
  }

  override async deliverBuffered(): Promise<BufferedReply> {
    this.read = await super.deliverBuffered()
    return this.read
  }

  override async deliverCopy(): Promise<void> {
    await this.deliverAndRead(this.alone)
  }

  override async hold(): Promise<void> {
    const {items, call} = this.batch
    const reply = this.read ?? (await this.deliverAndRead(batchWithout(items, call.index), false))
    const body = replyWithout(reply.body, call.id) ?? reply.body
    const rest = {...reply, headers: {...reply.headers, 'content-length': String(body.length)}, body}
    await this.writeReply(rest, this.read ? 1 : undefined)
  }

  override recordFault(phase: string, detail?: Record<string, unknown>): void {
    const {call} = this.batch
    super.recordFault(phase, {call: call.index, rpcMethod: call.method, id: call.id, ...detail})
  }

  protected override deliveryDetail(body: Buffer | Readable | null): Record<string, unknown> {
    return {...super.deliveryDetail(body), sent: body === this.alone ? 'alone' : 'batch'}
  }
}
