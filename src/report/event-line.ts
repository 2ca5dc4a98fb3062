import {Chalk, type ChalkInstance} from 'chalk'
import type {ProxyEvent} from '../events/event-log.js'

export interface EventLineOptions {
  /** Colour the line (ANSI). Decide with `wantsColor(stream)` at the edge. */
  color?: boolean
}

/** Colour only on a TTY and never when NO_COLOR is set (https://no-color.org). */
export function wantsColor(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && (env.NO_COLOR === undefined || env.NO_COLOR === '')
}

const plain = new Chalk({level: 0})
const colored = new Chalk({level: 1})

function clock(time: number): string {
  const d = new Date(time)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

function paint(c: ChalkInstance, type: ProxyEvent['type'], text: string): string {
  switch (type) {
    case 'fault':
      return c.red.bold(text)
    case 'toxic':
      return c.magenta(text)
    case 'error':
      return c.red(text)
    case 'connection-open':
    case 'connection-close':
      return c.dim(text)
    case 'listen':
      return c.green(text)
    default:
      return c.cyan(text)
  }
}

function value(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) || v === '' ? JSON.stringify(v) : v
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>)
    return entries.length === 0 ? '{}' : entries.map(([k, x]) => `${k}=${value(x)}`).join(',')
  }
  return String(v)
}

/**
 * One event as one log line, for a live log on stderr:
 * `12:00:01.234 db c3 toxic latency_downstream downstream applied=true …`.
 * Pure: no I/O, colour only when asked.
 */
export function formatEvent(event: ProxyEvent, options: EventLineOptions = {}): string {
  const c = options.color ? colored : plain
  const parts: string[] = [c.gray(clock(event.time))]
  if (event.proxy !== undefined) parts.push(c.bold(event.proxy))
  if (event.conn !== undefined) parts.push(event.conn)
  if (event.request !== undefined) parts.push(event.request)
  parts.push(paint(c, event.type, event.type))
  for (const key of [
    'fault',
    'phase',
    'method',
    'path',
    'status',
    'trial',
    'operation',
    'attempt',
    'delivery',
  ] as const) {
    const v = event[key]
    if (v === undefined) continue
    parts.push(
      key === 'fault' ? paint(c, event.type, String(v)) : key === 'phase' ? String(v) : `${key}=${value(v)}`,
    )
  }
  for (const [k, v] of Object.entries(event.detail ?? {})) {
    if (v !== undefined) parts.push(`${k}=${value(v)}`)
  }
  return parts.join(' ')
}
