import {randomBytes, randomUUID} from 'node:crypto'
import type {CallSpec} from './send-calls.js'

/**
 * What a client of the demo server does, as a recorder would see it: per counter a read, an
 * increment with an Idempotency-Key, a read; per key-value entry a read (404), a PUT, a read.
 * Keys are fresh random ids, two per endpoint, so the ids vary across the recording.
 */
export function demoTraffic(): CallSpec[] {
  const calls: CallSpec[] = [{method: 'GET', path: '/health'}]
  for (const prefix of ['naive', 'dedup']) {
    for (let i = 0; i < 2; i++) {
      const key = randomBytes(6).toString('hex')
      calls.push(
        {method: 'GET', path: `/${prefix}/counters/${key}`},
        {method: 'POST', path: `/${prefix}/counters/${key}/increment`, headers: {'Idempotency-Key': randomUUID()}, body: {by: 1}},
        {method: 'GET', path: `/${prefix}/counters/${key}`},
      )
    }
  }
  for (let i = 0; i < 2; i++) {
    const key = randomBytes(6).toString('hex')
    calls.push({method: 'GET', path: `/put/kv/${key}`}, {method: 'PUT', path: `/put/kv/${key}`, body: {value: `v-${key}`}}, {method: 'GET', path: `/put/kv/${key}`})
  }
  return calls
}
