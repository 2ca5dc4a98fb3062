import type {FaultAction} from './fault.js'
import type {GrpcStatusName} from '../grpc/status.js'

/**
 * What a protocol's per-request exchange does for each fault. Every L7 codec (HTTP,
 * JSON-RPC, gRPC, framed TCP) implements these, and `applyFault` is the one place that maps
 * a fault action to them, so a new fault is one line here plus one method per codec.
 */
export interface FaultHandlers {
  dropRequest(mode: 'timeout' | 'reset'): Promise<void>
  dropReply(mode: 'timeout' | 'reset'): Promise<void>
  duplicate(mode: 'sequential' | 'concurrent' | 'delayed', delay: number): Promise<void>
  delayRequest(ms: number): Promise<void>
  delayReply(ms: number): Promise<void>
  resetMidReply(): Promise<void>
  crashBeforeReply(): Promise<void>
  crashAfterReply(): Promise<void>
  clientAbort(): Promise<void>
  /** gRPC answers with a status; other codecs record that the fault does not apply to them. */
  answerStatus(status: GrpcStatusName, phase: 'request' | 'reply'): Promise<void>
}

export function applyFault(fault: FaultAction, handlers: FaultHandlers): Promise<void> {
  switch (fault.type) {
    case 'drop-request':
      return handlers.dropRequest(fault.mode)
    case 'drop-reply':
      return handlers.dropReply(fault.mode)
    case 'duplicate':
      return handlers.duplicate(fault.mode, fault.delay)
    case 'delay':
      return fault.phase === 'request' ? handlers.delayRequest(fault.delay) : handlers.delayReply(fault.delay)
    case 'reset':
      return handlers.resetMidReply()
    case 'crash-before-reply':
      return handlers.crashBeforeReply()
    case 'crash-after-reply':
      return handlers.crashAfterReply()
    case 'client-abort':
      return handlers.clientAbort()
    case 'status':
      return handlers.answerStatus(fault.status, fault.phase)
  }
}
