import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {startHttpServer} from '../helpers/servers.js'
import {auditClient} from './audit-harness.js'

const CLIENT = fileURLToPath(new URL('./fixtures/jsonrpc-batch.mjs', import.meta.url))
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

/** A JSON-RPC server on loopback answering every call of a batch (or a single call) with a result. */
async function batchServer() {
  const server = await startHttpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {id: unknown} | Array<{id: unknown}>
      const answer = (call: {id: unknown}) => ({jsonrpc: '2.0', id: call.id, result: 1})
      res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify(Array.isArray(body) ? body.map(answer) : answer(body)))
    })
  })
  closers.push(server.close)
  return server
}

function batch(calls: unknown[]): string[] {
  return [process.execPath, CLIENT, '{{proxyUrl}}/rpc', JSON.stringify(calls), '--attempts', '3', '--wait', '100']
}

/** Each call of a JSON-RPC batch is its own attempt (`rN.0`, `rN.1`), on its own route. */
describe('audit: JSON-RPC batches', () => {
  it('audits every call of a batch: the faulted one and the others, each in its own operation', async () => {
    const server = await batchServer()
    const calls = [
      {method: 'debit', params: {request_id: 'd-{{run}}'}},
      {method: 'credit', params: {request_id: 'c-{{run}}'}},
    ]
    // drop-request on one call of a batch: the rest of the batch is answered without it; the client resends that call alone.
    const run = await auditClient({protocol: 'jsonrpc', upstream: server.url, command: batch(calls), runs: 2, profiles: ['drop-request']})
    const byRoute = Object.fromEntries(run.result.routes.map((r) => [r.route, r]))
    expect(Object.keys(byRoute).sort(), run.output).toEqual(['rpc credit', 'rpc debit'])
    const debit = byRoute['rpc debit']
    const credit = byRoute['rpc credit']
    expect(debit?.operations.map((op) => op.attempts.map((a) => [a.attempt.request.replace(/^r\d+/, 'r'), a.reason.rule, a.attempt.key?.value]))).toEqual([
      [['r.0', 'first', 'd-1'], ['r', 'same-key', 'd-1']],
      [['r.0', 'first', 'd-2'], ['r', 'same-key', 'd-2']],
    ])
    expect(credit?.operations.map((op) => op.attempts.map((a) => [a.attempt.request.replace(/^r\d+/, 'r'), a.attempt.fault?.label]))).toEqual([[['r.1', undefined]], [['r.1', undefined]]])
    expect(debit?.findings.find((f) => f.name === 'retries-lost-request')?.status).toBe('yes')
    expect(run.result.runs.map((r) => r.exitCode)).toEqual([0, 0])
  }, 60_000)

  it('a status fault on one call answers the whole batch with errors: the retry of every call joins its operation', async () => {
    const server = await batchServer()
    const calls = [
      {method: 'debit', params: {account: 'a{{run}}'}},
      {method: 'credit', params: {account: 'b{{run}}'}},
    ]
    const run = await auditClient({protocol: 'jsonrpc', upstream: server.url, command: batch(calls), runs: 1, profiles: ['status-503']})
    const rules = Object.fromEntries(run.result.routes.map((r) => [r.route, r.operations.map((op) => op.attempts.map((a) => a.reason.rule))]))
    expect(rules, run.output).toEqual({'rpc debit': [['first', 'same-request']], 'rpc credit': [['first', 'same-request']]})
    const credit = run.result.routes.find((r) => r.route === 'rpc credit')
    expect(credit?.operations[0]?.attempts[0]?.attempt.batchFailed).toBe(true)
    // Only the faulted call counts toward the retry findings; the other was hit by the same answer.
    expect(credit?.findings.find((f) => f.name === 'retries-503')?.status).toBe('not observed')
  }, 60_000)
})
