import {describe, expect, it} from 'vitest'
import {otherPayload} from '../../src/check/conformance/other-payload.js'

describe('otherPayload', () => {
  it('changes the first scalar, depth first, and nothing else', () => {
    expect(otherPayload({amount: 10, ref: 'a'})).toEqual({amount: 11, ref: 'a'})
    expect(otherPayload({order: {sku: 'x', qty: 2}})).toEqual({order: {sku: 'x-other', qty: 2}})
    expect(otherPayload([{}, {paid: false}])).toEqual([{}, {paid: true}])
    expect(otherPayload('text')).toBe('text-other')
  })

  it('has nothing to change in a body without scalars', () => {
    expect(otherPayload(undefined)).toBeUndefined()
    expect(otherPayload({a: {}, b: []})).toBeUndefined()
    expect(otherPayload(null)).toBeUndefined()
  })
})
