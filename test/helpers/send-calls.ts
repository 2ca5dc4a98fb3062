import {request} from 'undici'

/** One HTTP call a client makes: the body, when there is one, is sent as JSON. */
export interface CallSpec {
  method: string
  path: string
  headers?: Record<string, string>
  body?: unknown
}

/**
 * Be the client: send the calls to `baseUrl` one after the other, as real HTTP requests, each
 * after the previous reply was read whole. Resolves with the statuses the server answered.
 */
export async function sendCalls(baseUrl: string, calls: CallSpec[]): Promise<number[]> {
  const statuses: number[] = []
  for (const call of calls) {
    const text = call.body === undefined ? undefined : JSON.stringify(call.body)
    const headers = {accept: 'application/json', ...(text !== undefined ? {'content-type': 'application/json'} : {}), ...call.headers}
    const reply = await request(new URL(call.path, baseUrl), {method: call.method as 'GET', headers, body: text})
    await reply.body.text()
    statuses.push(reply.statusCode)
  }
  return statuses
}
