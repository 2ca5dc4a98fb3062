import type {DraftEndpoint} from './draft.js'
import type {RecordedCall} from './recorded-call.js'

/** `POST /naive/counters/{id}/increment` -> `post-naive-counters-increment`; a JSON-RPC method as it is. */
export function endpointName(call: Pick<RecordedCall, 'protocol' | 'route' | 'verb'>): string {
  if (call.protocol === 'jsonrpc') return sanitize(call.verb)
  const [method, template = '/'] = call.route.split(' ')
  const words = template.split('/').filter((s) => s !== '' && !s.startsWith('{'))
  return sanitize([method?.toLowerCase(), ...words].join('-'))
}

/** Letters, digits, `.`, `_`, `-`: what an endpoint name may hold. */
export function sanitize(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'endpoint'
}

/** Make names unique in place: a second `post-orders` becomes `post-orders-2`. */
export function uniqueNames(endpoints: DraftEndpoint[]): void {
  const seen = new Map<string, number>()
  for (const e of endpoints) {
    const n = (seen.get(e.name) ?? 0) + 1
    seen.set(e.name, n)
    if (n > 1) e.name = `${e.name}-${n}`
  }
}
