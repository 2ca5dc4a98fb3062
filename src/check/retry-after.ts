import {MAX_TIMER_MS} from '../timer-limit.js'

/**
 * How long a `Retry-After` header (RFC 9110 §10.2.3) asks the client to wait, in ms: a number
 * of seconds, or an HTTP date (a date in the past means now). Capped at the longest a timer can
 * wait. Undefined when there is no header or it is neither form.
 */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (text === undefined || text === '') return undefined
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_TIMER_MS)
  // Only an IMF-fixdate, rfc850 or asctime date (they all name a weekday); not any text Date.parse accepts.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/.test(text)) return undefined
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.min(Math.max(0, at - now), MAX_TIMER_MS)
}
