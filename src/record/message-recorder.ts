import type {EventLog, ProxyEvent} from '../events/event-log.js'
import {selectJson} from '../jsonpath.js'
import {decodeEvidence, type MessageLine} from './message-line.js'

export interface MessageRecorderOptions {
  protocol: 'grpc' | 'tcp'
  /** TCP: a JSONPath into each request frame whose value names its route (`$.op`). */
  routePath?: string
  onLine(line: MessageLine): void
  /** Called once per request with its route, for the live count. */
  onRequest(route: string): void
}

/**
 * Turns the events of a gRPC or framed-TCP proxy that keeps message evidence into recorded
 * messages: each request as the proxy delivered it and each reply as the server sent it,
 * decoded. It only listens to the proxy's event log; it never touches the traffic.
 */
export class MessageRecorder {
  /** Route of each request still waiting for its reply. */
  private readonly routes = new Map<string, string>()
  private readonly listener = (event: ProxyEvent) => this.onEvent(event)

  constructor(
    private readonly events: EventLog,
    private readonly options: MessageRecorderOptions,
  ) {
    events.on('event', this.listener)
  }

  /** Stop listening. */
  close(): void {
    this.events.off('event', this.listener)
  }

  private onEvent(e: ProxyEvent): void {
    const detail = e.detail ?? {}
    const base = {time: new Date(e.time).toISOString(), conn: e.conn, request: e.request}
    if (e.type === 'request' && e.request !== undefined) {
      const route = this.routeOf(e)
      this.routes.set(e.request, route)
      this.options.onRequest(route)
      // TCP requests carry their text here; gRPC ones on their delivery.
      if (typeof detail.body === 'string') this.options.onLine({...base, direction: 'request', route, message: decodeEvidence(detail.body)})
      return
    }
    const route = e.request === undefined ? undefined : this.routes.get(e.request)
    if (route === undefined) return
    if (e.type === 'delivery' && typeof detail.body === 'string') {
      this.options.onLine({...base, direction: 'request', route, message: decodeEvidence(detail.body)})
    } else if (e.type === 'reply-end') {
      this.routes.delete(e.request as string)
      // A streamed gRPC call's request passed through unheld: the proxy reports it with the reply.
      if (typeof detail.request === 'string') this.options.onLine({...base, direction: 'request', route, message: decodeEvidence(detail.request)})
      const line: MessageLine = {...base, direction: 'reply', route, bytes: Number(detail.bytes ?? 0)}
      if (typeof detail.body === 'string' && detail.body !== '') line.message = decodeEvidence(detail.body)
      if (typeof detail.rpcStatus === 'string') line.status = detail.rpcStatus
      if (typeof detail.grpcMessage === 'string') line.statusMessage = detail.grpcMessage
      if (typeof detail.ok === 'boolean') line.ok = detail.ok
      this.options.onLine(line)
    } else if (e.type === 'error') {
      this.routes.delete(e.request as string)
      this.options.onLine({...base, direction: 'error', route, error: String(detail.message ?? 'error')})
    }
  }

  private routeOf(e: ProxyEvent): string {
    const detail = e.detail ?? {}
    if (this.options.protocol === 'grpc') return typeof detail.rpc === 'string' ? detail.rpc : (e.path ?? '').replace(/^\//, '')
    if (this.options.routePath === undefined || typeof detail.body !== 'string') return 'frame'
    try {
      const found = selectJson(JSON.parse(detail.body), this.options.routePath)
      return found.found && (typeof found.value === 'string' || typeof found.value === 'number') ? String(found.value) : 'frame'
    } catch {
      return 'frame'
    }
  }
}

