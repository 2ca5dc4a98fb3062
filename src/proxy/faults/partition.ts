import type {PartitionPrimary} from '../fault.js'
import type {FaultExchange} from './fault-exchange.js'

/**
 * The server is cut off from its clients for `duration` ms, starting with this request: never
 * delivered (`before-delivery`), or executed with its reply lost (`after-delivery`). The client
 * is held until it gives up, as in a network partition; the server keeps running.
 */
export async function partitionServer<R>(x: FaultExchange<R>, action: PartitionPrimary): Promise<void> {
  if (action.mode === 'after-delivery') await x.deliverBuffered()
  await x.partition(action.mode, action.duration)
  return x.hold()
}
