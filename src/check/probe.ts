import type {Dispatcher} from 'undici'
import {selectJson} from '../scenario/jsonpath.js'
import {parseJsonBody, sendRequest, type RenderedRequest} from './http-request.js'

/** What the effect probe read: `absent` when the resource does not exist (404 or no match). */
export type ProbeReading = {kind: 'value'; value: unknown} | {kind: 'absent'} | {kind: 'error'; message: string}

/**
 * Read the server's state straight from the server (never through the proxy) and select
 * the part the scenario names.
 */
export async function readProbe(
  dispatcher: Dispatcher,
  request: RenderedRequest,
  select: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeReading> {
  const timeout = AbortSignal.timeout(timeoutMs)
  try {
    const reply = await sendRequest(dispatcher, request, {}, signal ? AbortSignal.any([timeout, signal]) : timeout)
    if (reply.status === 404) return {kind: 'absent'}
    if (reply.status >= 300) return {kind: 'error', message: `probe ${request.method} ${request.path} answered ${reply.status}`}
    const json = parseJsonBody(reply.body)
    if (!json.ok) return {kind: 'error', message: `probe ${request.method} ${request.path} did not answer JSON`}
    const selected = selectJson(json.value, select)
    return selected.found ? {kind: 'value', value: selected.value} : {kind: 'absent'}
  } catch (err) {
    signal?.throwIfAborted()
    const message = timeout.aborted ? `no reply within ${timeoutMs}ms` : (err as Error).message
    return {kind: 'error', message: `probe ${request.method} ${request.path} failed: ${message}`}
  }
}
