import {selectJson} from '../../jsonpath.js'

/** A request waiting for its reply frame on an upstream connection. */
export interface Waiter {
  resolve(frame: Buffer): void
  reject(err: Error): void
}

/** The pairing id of a parsed frame: the JSON text of the value at `replyId`, if there is one. */
export function pairingId(message: unknown, replyId: string): string | undefined {
  const found = selectJson(message, replyId)
  return found.found ? JSON.stringify(found.value) : undefined
}

/**
 * Requests waiting for their replies on one upstream connection: in order when the
 * protocol has no reply id (`replyId` undefined), else by the id both frames carry.
 */
export class ReplyPairing {
  private readonly inOrder: Waiter[] = []
  private readonly byId = new Map<string, Waiter[]>()

  constructor(private readonly replyId: string | undefined) {}

  /** Requests still waiting for a reply. */
  get size(): number {
    let n = this.inOrder.length
    for (const list of this.byId.values()) n += list.length
    return n
  }

  /** `id`: the request's pairing id; undefined when replies come in order. */
  add(id: string | undefined, waiter: Waiter): void {
    if (id === undefined) this.inOrder.push(waiter)
    else this.byId.set(id, [...(this.byId.get(id) ?? []), waiter])
  }

  /** The waiter a reply frame answers, taken off the list; undefined when it matches none. */
  take(frame: Buffer): Waiter | undefined {
    if (this.replyId === undefined) return this.inOrder.shift()
    let id: string | undefined
    try {
      id = pairingId(JSON.parse(frame.toString('utf8')), this.replyId)
    } catch {
      id = undefined
    }
    if (id === undefined) return undefined
    const list = this.byId.get(id)
    const waiter = list?.shift()
    if (list && list.length === 0) this.byId.delete(id)
    return waiter
  }

  /** Reject every waiter: the connection is gone and no reply will come. */
  failAll(err: Error): void {
    const all = [...this.inOrder, ...[...this.byId.values()].flat()]
    this.inOrder.length = 0
    this.byId.clear()
    for (const waiter of all) waiter.reject(err)
  }
}
