import {describe, expect, it} from 'vitest'
import {checkRecordFlags, framingFromFlags, type RecordFlags} from '../../src/record/record-options.js'
import {httpRoute} from '../../src/record/route.js'

const base: RecordFlags = {protocol: 'http', upstream: 'http://127.0.0.1:3000', 'keep-secrets': false}

describe('record flags', () => {
  it('accepts each protocol with its own address form', () => {
    expect(() => checkRecordFlags(base)).not.toThrow()
    expect(() => checkRecordFlags({...base, protocol: 'jsonrpc', upstream: 'http://127.0.0.1:8545/rpc'})).not.toThrow()
    expect(() => checkRecordFlags({...base, protocol: 'grpc', upstream: 'grpc://127.0.0.1:50051', proto: 'bank.proto'})).not.toThrow()
    expect(() => checkRecordFlags({...base, protocol: 'tcp', upstream: '127.0.0.1:7000', route: '$.op'})).not.toThrow()
  })

  it.each([
    [{...base, upstream: 'ftp://127.0.0.1:21'}, "--upstream ftp://127.0.0.1:21: write the http server's address as http://127.0.0.1:3000"],
    [{...base, protocol: 'tcp', upstream: 'tcp://127.0.0.1'}, "--upstream tcp://127.0.0.1: write the tcp server's address as tcp://127.0.0.1:7000"],
    [{...base, proto: 'bank.proto'}, '--proto applies to --protocol grpc only; remove it or add --protocol grpc'],
    [{...base, framing: 'ndjson'}, '--framing applies to --protocol tcp only; remove it or add --protocol tcp'],
    [{...base, redact: ['x-api-key'], 'keep-secrets': true}, '--redact and --keep-secrets contradict each other; --keep-secrets writes every header as it was'],
    [{...base, redact: ['x-api-key: 1']}, '--redact "x-api-key: 1": write one header name per --redact, e.g. --redact x-api-key'],
    [{...base, protocol: 'tcp', upstream: 'tcp://127.0.0.1:7000', route: 'op'}, '--route op: not a valid JSONPath: must start with $ (the root), e.g. $.value'],
  ] as Array<[RecordFlags, string]>)('refuses %j in one line', (flags, message) => {
    expect(() => checkRecordFlags(flags)).toThrow(message)
  })

  it('reads the TCP framing the way a scenario describes it', () => {
    const tcp: RecordFlags = {...base, protocol: 'tcp', upstream: 'tcp://127.0.0.1:7000'}
    expect(framingFromFlags(tcp)).toEqual({type: 'ndjson', maxFrameBytes: 1024 * 1024})
    expect(framingFromFlags({...tcp, framing: 'length-prefixed', 'header-bytes': '2', 'byte-order': 'little'})).toEqual({type: 'length-prefixed', headerBytes: 2, byteOrder: 'little', maxFrameBytes: 0xffff})
    expect(() => framingFromFlags({...tcp, 'header-bytes': '2'})).toThrow('--header-bytes and --byte-order describe length-prefixed frames; add --framing length-prefixed')
    expect(() => framingFromFlags({...tcp, framing: 'length-prefixed', 'header-bytes': '1', 'max-frame-bytes': 1000})).toThrow('--max-frame-bytes 1000: a 1-byte length header describes at most 255 bytes')
  })

  it('counts routes with record ids collapsed', () => {
    expect(httpRoute('GET', '/users/42/orders?page=2')).toBe('GET /users/{id}/orders')
    expect(httpRoute('PUT', '/docs/3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBe('PUT /docs/{id}')
    expect(httpRoute('GET', '/health')).toBe('GET /health')
  })
})
