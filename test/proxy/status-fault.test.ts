import {afterEach, describe, expect, it} from 'vitest'
import type {StatusAnswer} from '../../src/proxy/fault.js'
import {jsonRpcStatusReply} from '../../src/proxy/jsonrpc/error-reply.js'
import {parseJsonRpcRequest} from '../../src/proxy/jsonrpc/message.js'
import type {Protocol} from '../../src/scenario/types.js'
import {startHarness, type ClientView, type Harness} from '../helpers/fault-harness.js'

/** How each protocol renders a status fault, as the built-in client reads it. */
const harnesses: Harness[] = []
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close()
})

async function answer(protocol: Protocol, action: StatusAnswer, retryOn: Array<string | number> = []) {
  const h = await startHarness(protocol, action, {retryOn})
  harnesses.push(h)
  const view: ClientView = await h.send(new AbortController().signal)
  if (view.kind !== 'reply') throw new Error(`expected a reply, got ${view.message}`)
  return {reply: view.reply, h}
}

describe('status fault on every protocol', () => {
  it('http: the status, Retry-After in seconds, no delivery', async () => {
    const {reply, h} = await answer('http', {type: 'status', phase: 'request', status: 429, retryAfter: 2}, [429])
    expect(reply).toMatchObject({status: 429, classification: 'retry', retryAfterMs: 2000})
    expect(reply.body).toEqual({error: 'faultline: injected 429'})
    expect(h.server.count()).toBe(0)
    expect(h.events.find((e) => e.type === 'fault')).toMatchObject({fault: 'status', phase: 'request', detail: {status: 429, forwarded: false, retryAfter: 2}})
  })

  it('http: 503 by default, after the server executed in phase reply', async () => {
    const {reply, h} = await answer('http', {type: 'status', phase: 'reply'})
    expect(reply.status).toBe(503)
    expect(reply.retryAfterMs).toBeUndefined()
    expect(h.server.count()).toBe(1)
    expect(h.events.filter((e) => e.type === 'forwarded')).toEqual([])
  })

  it('jsonrpc: an error object with the given code for the call, HTTP 200', async () => {
    const {reply} = await answer('jsonrpc', {type: 'status', phase: 'request', status: 503, code: -32005, retryAfter: 1})
    expect(reply).toMatchObject({status: -32005, classification: 'failed', retryAfterMs: 1000})
    expect(reply.body).toEqual({code: -32005, message: 'faultline: injected error', data: {status: 503}})
  })

  it('jsonrpc: code -32000 by default', async () => {
    const {reply} = await answer('jsonrpc', {type: 'status', phase: 'reply'})
    expect(reply.status).toBe(-32000)
  })

  it('tcp: the default error frame carries the request id at replyId', async () => {
    const {reply} = await answer('tcp', {type: 'status', phase: 'request', status: 503})
    expect(reply.body).toEqual({id: 7, error: {code: 503, message: 'faultline: injected 503'}})
    expect(reply.classification).toBe('failed')
  })

  it('tcp: a configured frame, id written into it', async () => {
    const {reply} = await answer('tcp', {type: 'status', phase: 'request', frame: {error: 'busy', id: 'x'}})
    expect(reply.body).toEqual({error: 'busy', id: 7})
  })

  it('grpc: an HTTP status maps as gRPC maps it; retryAfter becomes pushback', async () => {
    const {reply} = await answer('grpc', {type: 'status', phase: 'request', status: 429, retryAfter: 1}, ['UNAVAILABLE'])
    expect(reply).toMatchObject({status: 'UNAVAILABLE', classification: 'retry', retryAfterMs: 1000})
  })
})

describe('jsonRpcStatusReply', () => {
  const answer = {type: 'status', phase: 'request', code: -32001} as const

  it('answers every call of a batch that has an id, and skips notifications', () => {
    const parsed = parseJsonRpcRequest(JSON.stringify([{jsonrpc: '2.0', id: 1, method: 'a'}, {jsonrpc: '2.0', method: 'note'}, {jsonrpc: '2.0', id: 'b', method: 'c'}]))
    const reply = jsonRpcStatusReply(parsed, answer)
    expect(reply.status).toBe(200)
    expect((JSON.parse(reply.body.toString()) as Array<{id: unknown; error: {code: number}}>).map((r) => [r.id, r.error.code])).toEqual([
      [1, -32001],
      ['b', -32001],
    ])
  })

  it('a body with nothing to answer gets the plain HTTP status', () => {
    expect(jsonRpcStatusReply(parseJsonRpcRequest('{"jsonrpc":"2.0","method":"note"}'), answer).status).toBe(503)
    expect(jsonRpcStatusReply(parseJsonRpcRequest('not json'), {...answer, status: 429}).status).toBe(429)
  })
})
