import type {GrpcStatusName} from '../../grpc/status.js'
import type {FaultExchange} from './fault-exchange.js'

/** Answer with a status instead of the server's reply (request) or after the server executed (reply). */
export function answerStatus<R>(x: FaultExchange<R>, status: GrpcStatusName, phase: 'request' | 'reply'): Promise<void> {
  return x.answerStatus(status, phase)
}
