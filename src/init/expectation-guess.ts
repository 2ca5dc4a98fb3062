/**
 * The contract an endpoint probably means to provide, guessed from its HTTP method the way
 * RFC 9110 defines the methods: PUT and DELETE are idempotent; POST is not, so it should at
 * least not execute twice. Always a guess: the comment beside it says so.
 */
export function guessExpectation(method: string): {expect: string; note: string} {
  const m = method.toUpperCase()
  if (m === 'PUT' || m === 'DELETE') return {expect: 'idempotent', note: `guessed from ${m} (idempotent by HTTP's definition); confirm`}
  if (m === 'POST') return {expect: 'at-most-once', note: 'guessed from POST (not idempotent, so it should not execute twice); confirm'}
  if (m === 'GET' || m === 'HEAD') return {expect: 'none', note: `a read (${m}) changes nothing to count; confirm`}
  return {expect: 'none', note: `no guess for ${m}; write the contract it must provide`}
}

const READ_NAME = /^(get|list|read|fetch|find|query|search|describe|watch|balance|lookup|count|eth_get)/i
const SET_NAME = /^(set|put|update|replace|upsert|delete|remove)/i

/** Does an RPC method's name say it only reads? (`Balance`, `GetOrder`, `eth_getBalance`) */
export function isReadName(method: string): boolean {
  return READ_NAME.test(method)
}

/** The same guess for an RPC method, from its name: reads, set-to-value writes, other writes. */
export function guessRpcExpectation(method: string): {expect: string; note: string} {
  if (isReadName(method)) return {expect: 'none', note: `the name says ${method} reads; a read changes nothing to count; confirm`}
  if (SET_NAME.test(method)) return {expect: 'idempotent', note: `guessed from the name ${method} (sets or deletes); confirm`}
  return {expect: 'at-most-once', note: `guessed from the name ${method} (a write that should not execute twice); confirm`}
}
