import {formatDuration} from '../scenario/duration.js'
import type {DurationSpec, ProfileFault} from '../scenario/types.js'

const duration = (d: DurationSpec) => (typeof d === 'number' ? formatDuration(d) : `${formatDuration(d[0])}..${formatDuration(d[1])}`)

/** One profile fault in words: `drop-reply(timeout) on attempt 1`. */
export function describeProfileFault(f: ProfileFault): string {
  const params: string[] = []
  if (f.mode !== undefined) params.push(Array.isArray(f.mode) ? f.mode.join('|') : f.mode)
  if (f.phase !== undefined) params.push(f.phase)
  if (f.delay !== undefined) params.push(duration(f.delay))
  if (f.delayTimeoutFactor !== undefined) {
    const factor = f.delayTimeoutFactor
    params.push(`${typeof factor === 'number' ? factor : `${factor[0]}..${factor[1]}`}× the client timeout`)
  }
  if (f.retryAfter !== undefined) params.push(`retry after ${f.retryAfter}s`)
  if (f.code !== undefined) params.push(`code ${f.code}`)
  if (f.frame !== undefined) params.push(`frame ${JSON.stringify(f.frame)}`)
  if (f.restart !== undefined) params.push(f.restart === 'never' ? 'primary left down' : 'restart after probe')
  if (f.duration !== undefined) params.push(`for ${duration(f.duration)}`)
  const where = [`attempt ${f.attempt}`]
  if (f.probability !== 1) where.push(`p=${f.probability}`)
  return `${f.type}${params.length > 0 ? `(${params.join(', ')})` : ''} on ${where.join(', ')}`
}
