import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {startHttpServer} from '../helpers/servers.js'
import {auditClient, statuses} from './audit-harness.js'

const CLIENT = fileURLToPath(new URL('../../fixtures/clients/jsonrpc-retry.mjs', import.meta.url))
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

/** A JSON-RPC server on loopback whose every call succeeds. */
async function jsonRpcServer() {
  const server = await startHttpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const call = JSON.parse(Buffer.concat(chunks).toString()) as {id: unknown}
      res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({jsonrpc: '2.0', id: call.id, result: 1}))
    })
  })
  closers.push(server.close)
  return server
}

function call(params: string): string[] {
  return [process.execPath, CLIENT, '{{proxyUrl}}/rpc', 'increment', '--params', params, '--attempts', '5', '--wait', '300']
}

/**
 * A hand-written JSON-RPC retry loop (fixtures/clients/jsonrpc-retry.mjs): fixed 300 ms wait,
 * a new JSON-RPC id per send, params unchanged.
 */
describe('audit: a hand-written JSON-RPC client', () => {
  it('keeps a request_id param across retries while re-minting its JSON-RPC id; waits a fixed time', async () => {
    const server = await jsonRpcServer()
    const run = await auditClient({protocol: 'jsonrpc', upstream: server.url, command: call('{"key":"k{{run}}","request_id":"op-{{run}}"}'), runs: 2, profiles: ['drop-request-reset', 'status-503'], faultAttempts: 3})
    expect(statuses(run, ['retries-reset', 'retries-503', 'same-request-id', 'retries-unsafe-without-key']), run.output).toEqual({
      'retries-reset': 'yes',
      'retries-503': 'yes',
      'same-request-id': 'yes',
      'retries-unsafe-without-key': 'not observed',
    })
    expect(run.finding('same-request-id').summary).toBe('every retry kept its param request_id; its JSON-RPC id changed on retry, which is not a request id')
    // 300 ms each time: successive waits stay within 1.5× of each other unless load delays one by 150 ms more than the other.
    expect(run.finding('backoff').summary).toMatch(/^fixed ~\d+ ms/)
    const [op] = run.result.routes[0]?.operations ?? []
    expect(op?.attempts.map((a) => a.attempt.rpcId)).toEqual(['1', '2', '3', '4'])
    expect(op?.attempts.slice(1).map((a) => a.reason.rule)).toEqual(['same-key', 'same-key', 'same-key'])
  }, 60_000)

  it('without a key: its retries are grouped by method and params, and flagged as an at-most-once risk', async () => {
    const server = await jsonRpcServer()
    const run = await auditClient({protocol: 'jsonrpc', upstream: server.url, command: call('{"key":"k{{run}}"}'), runs: 1, profiles: ['status-503']})
    expect(statuses(run, ['retries-503', 'same-request-id', 'retries-unsafe-without-key']), run.output).toEqual({
      'retries-503': 'yes',
      'same-request-id': 'no',
      'retries-unsafe-without-key': 'yes',
    })
    const [op] = run.result.routes[0]?.operations ?? []
    expect(op?.attempts[1]?.reason.rule).toBe('same-request')
    expect(run.result.routes[0]?.route).toBe('rpc increment')
  }, 60_000)

  it("a JSON-RPC error object from the server itself is a failed attempt: the retry after it joins its operation", async () => {
    // The server answers every other call with a server error (-32001), and the client retries those. No fault is injected.
    let calls = 0
    const server = await startHttpServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const call = JSON.parse(Buffer.concat(chunks).toString()) as {id: unknown}
        calls += 1
        const outcome = calls % 2 === 1 ? {error: {code: -32001, message: 'busy, try again'}} : {result: 1}
        res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({jsonrpc: '2.0', id: call.id, ...outcome}))
      })
    })
    closers.push(server.close)
    const run = await auditClient({protocol: 'jsonrpc', upstream: server.url, command: call('{"key":"k{{run}}"}'), runs: 2, profiles: []})
    const ops = run.result.routes[0]?.operations ?? []
    expect(ops.map((op) => op.attempts.map((a) => a.reason.rule)), run.output).toEqual([
      ['first', 'same-request'],
      ['first', 'same-request'],
    ])
    expect(ops[0]?.attempts[0]?.attempt.errorReply).toBe(true)
    expect(ops[0]?.attempts[1]?.reason.detail).toMatch(/^same method, target and body as attempt 1, which failed \d+ ms before$/)
  }, 60_000)
})
