import type {ProxyEvent} from '../events/event-log.js'
import {describeReading} from './probe-reading.js'

/** One event of a trial as a short line of text (no colour). */
export function describeEvent(e: ProxyEvent): string {
  const att = e.attempt !== undefined ? `attempt ${e.attempt}` : ''
  const del = e.delivery !== undefined ? `delivery ${e.delivery}` : ''
  const d = e.detail ?? {}
  switch (e.type) {
    case 'attempt':
      return `client  sends ${att}: ${[e.method, e.path].filter((x) => x !== undefined).join(' ')}`
    case 'attempt-result': {
      // HTTP statuses are numbers on the event; protocol statuses (gRPC code names) are in detail.
      const status = e.status ?? (typeof d.status === 'string' ? d.status : undefined)
      return status !== undefined ? `client  ${att} got ${status}` : `client  ${att} failed: ${String(d.message ?? d.result)}`
    }
    case 'request':
      return `proxy   receives ${att || 'a request'} (${e.request ?? '?'})`
    case 'delivery':
      return e.delivery !== undefined && e.delivery > 1
        ? `proxy   delivers a duplicate (${del}) of ${att || e.request}`
        : `proxy   forwards ${att || e.request} to the server`
    case 'reply':
      return `server  answers ${att}${e.delivery !== undefined && e.delivery > 1 ? ` (${del})` : ''}: ${String(d.rpcStatus ?? e.status)}`
    case 'reply-end': {
      const status = d.rpcStatus !== undefined ? ` ${String(d.rpcStatus)}` : ''
      const body = typeof d.body === 'string' && d.body !== '' ? ` ${truncate(d.body, 60)}` : ''
      return `server  reply to ${att}${e.delivery !== undefined && e.delivery > 1 ? ` (${del})` : ''} complete${status}${body}`
    }
    case 'forwarded':
      return `proxy   passes the reply to ${att || 'the client'} on`
    case 'fault':
      return `FAULT   ${String(d.label ?? e.fault)} at ${e.phase}`
    case 'probe':
      return `probe   ${String(d.when)}: ${describeReading(d.reading, 60)}`
    case 'supervisor':
      return `server  ${String(d.action ?? '')} ${d.killToReadyMs !== undefined ? `(${Number(d.killToReadyMs).toFixed(0)} ms kill → ready)` : ''}`.trimEnd()
    case 'error':
      return `error   ${String(d.message ?? '')}`
    case 'client':
      return `client  ${d.stream !== undefined ? `${String(d.stream)}: ${truncate(String(d.line ?? ''), 80)}` : String(d.message ?? d.action ?? '')}`
    default:
      return `${e.type} ${e.request ?? ''}`.trimEnd()
  }
}

/** A trial's timeline as lines, each prefixed with milliseconds since its first event. */
export function formatTimeline(events: ProxyEvent[]): string[] {
  const shown = events.filter((e) => e.type !== 'connection-open' && e.type !== 'connection-close')
  const t0 = shown[0]?.time ?? 0
  // On replicated targets every line names the replica it is about.
  const replicas = shown.some((e) => e.proxy !== undefined)
  const width = Math.max(0, ...shown.map((e) => (e.proxy ?? '').length))
  return shown.map((e) => `+${(e.time - t0).toFixed(1).padStart(7)} ms  ${replicas ? `${(e.proxy ?? '').padEnd(width)}  ` : ''}${describeEvent(e)}`)
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}
