import type {ProxyEvent} from '../../events/event-log.js'
import {describeReading} from '../probe-reading.js'

/** A participant of a trial's sequence diagram. The supervisor appears only when the server crashed. */
export type Lane = 'client' | 'proxy' | 'server' | 'supervisor'

export type StepKind =
  | 'attempt'
  | 'request'
  | 'delivery'
  | 'reply'
  | 'forwarded'
  | 'result'
  | 'fault'
  | 'crash'
  | 'restart'
  | 'probe'
  | 'note'

/** One row of a diagram: an arrow from one lane to another, or a note on one lane. */
export interface Step {
  /** Milliseconds since the trial's first shown event. */
  at: number
  kind: StepKind
  from: Lane
  /** Set for arrows. */
  to?: Lane
  label: string
  /** How it reads: a fault or failure, a success, or neutral. */
  tone: 'bad' | 'good' | 'plain'
}

export interface SequenceLayout {
  lanes: Lane[]
  steps: Step[]
}

const HIDDEN = new Set(['listen', 'connection-open', 'connection-close'])

/**
 * A trial's events as the rows of a sequence diagram, in time order. Attempts, deliveries and
 * replies become arrows between client, proxy and server; a fault is a note where it fired (the
 * proxy); a crash restart becomes the supervisor's kill and restart arrows, the kill placed at
 * the time it happened (restart time minus kill → ready).
 */
export function layoutSequence(events: readonly ProxyEvent[]): SequenceLayout {
  const shown = events.filter((e) => !HIDDEN.has(e.type))
  const t0 = shown.reduce((min, e) => Math.min(min, e.time), Number.POSITIVE_INFINITY)
  const clientAttempts = shown.some((e) => e.type === 'attempt')
  const completed = new Set(shown.filter((e) => e.type === 'reply-end').map(replyKey))
  const steps: Step[] = []
  for (const e of shown) {
    if (e.type === 'request' && clientAttempts) continue // the client's attempt arrow already shows it
    if (e.type === 'reply' && completed.has(replyKey(e))) continue // drawn once, when the reply ended
    steps.push(...(e.type === 'supervisor' ? supervisorSteps(e, e.time - t0) : stepsOf(e, e.time - t0)))
  }
  steps.sort((a, b) => a.at - b.at)
  const lanes: Lane[] = ['client', 'proxy', 'server']
  if (steps.some((s) => s.from === 'supervisor')) lanes.push('supervisor')
  return {lanes, steps}
}

function replyKey(e: ProxyEvent): string {
  return `${e.request ?? ''}/${e.delivery ?? ''}`
}

type Drawn = Omit<Step, 'at'>

const arrow = (kind: StepKind, from: Lane, to: Lane, label: string, tone: Step['tone'] = 'plain'): Drawn => ({kind, from, to, label, tone})
const note = (kind: StepKind, lane: Lane, label: string, tone: Step['tone'] = 'plain'): Drawn => ({kind, from: lane, label, tone})

function stepsOf(e: ProxyEvent, at: number): Step[] {
  return drawn(e).map((step) => ({at, ...step}))
}

/** What one event looks like in the diagram (a crash restart: also the kill, timed by `supervisorSteps`). */
function drawn(e: ProxyEvent): Drawn[] {
  const att = e.attempt !== undefined ? `attempt ${e.attempt}` : 'the request'
  const d = e.detail ?? {}
  const duplicate = e.delivery !== undefined && e.delivery > 1
  const target = [e.method, e.path].filter(Boolean).join(' ')
  switch (e.type) {
    case 'attempt':
      return [arrow('attempt', 'client', 'proxy', `${att}: ${target}`)]
    case 'request':
      return [arrow('request', 'client', 'proxy', `request ${e.request ?? ''}: ${target}`)]
    case 'delivery':
      return [duplicate ? arrow('delivery', 'proxy', 'server', `duplicate: delivery ${e.delivery} of ${att}`, 'bad') : arrow('delivery', 'proxy', 'server', `delivers ${att}`)]
    case 'reply':
    case 'reply-end': {
      const body = typeof d.body === 'string' && d.body !== '' ? ` ${d.body}` : ''
      return [arrow('reply', 'server', 'proxy', `reply to ${duplicate ? `${att}, delivery ${e.delivery}` : att}: ${String(d.rpcStatus ?? e.status ?? '')}${body}`)]
    }
    case 'forwarded':
      return [arrow('forwarded', 'proxy', 'client', `reply to ${att} passed on`)]
    case 'attempt-result':
      return [resultStep(e, att)]
    case 'fault':
      return [note('fault', 'proxy', `FAULT ${String(d.label ?? e.fault)} at ${e.phase ?? '?'}`, 'bad')]
    case 'toxic':
      return [note('note', 'proxy', `toxic ${String(d.toxic ?? d.type ?? '')} on ${e.proxy ?? 'a link'}`)]
    case 'probe':
      return [note('probe', 'server', `probe ${String(d.when ?? '')}: ${reading(d.reading)}`)]
    case 'error':
      return [note('note', 'proxy', `error: ${String(d.message ?? '')}`, 'bad')]
    default:
      return []
  }
}

function resultStep(e: ProxyEvent, att: string): Drawn {
  const d = e.detail ?? {}
  const status = e.status ?? (typeof d.status === 'string' ? d.status : undefined)
  if (status === undefined) return note('result', 'client', `${att} failed: ${String(d.message ?? d.result ?? '')}`, 'bad')
  const ok = typeof status === 'number' ? status < 400 : status === 'OK'
  return note('result', 'client', `${att} got ${status}`, ok ? 'good' : 'bad')
}

/** Supervisor actions that cut a server off: marked like a fault. */
const PARTITION_ACTIONS = new Set(['partitioned', 'left down'])

/** A crash restart: the kill when it happened (restart time minus kill → ready), then the restart. */
function supervisorSteps(e: ProxyEvent, at: number): Step[] {
  const d = e.detail ?? {}
  const action = String(d.action ?? '')
  // On replicated targets the note names the replica or link (`primary partitioned`, `primary→backup link faulted: …`).
  if (action !== 'restarted' || typeof d.killToReadyMs !== 'number') return [{at, ...note('note', 'supervisor', `${e.proxy ?? 'server'} ${action}`, PARTITION_ACTIONS.has(action) ? 'bad' : 'plain')}]
  const point = d.point !== undefined ? ` (${String(d.point)})` : ''
  return [
    {at: Math.max(0, at - d.killToReadyMs), ...arrow('crash', 'supervisor', 'server', `SIGKILL: crash${point}`, 'bad')},
    {at, ...arrow('restart', 'supervisor', 'server', `restarted, ready after ${d.killToReadyMs.toFixed(0)} ms`, 'good')},
  ]
}

function reading(value: unknown): string {
  return describeReading(value, 80)
}
