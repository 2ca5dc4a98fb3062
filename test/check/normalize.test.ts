import {describe, expect, it} from 'vitest'
import {normalizeJson, sameJson} from '../../src/check/normalize.js'

describe('normalizeJson', () => {
  it("makes two trials' states comparable: their own template values become placeholders", () => {
    const a = normalizeJson({id: 'order-k1', by: 'req-1', ref: 'u-1', at: 5}, [['key', 'k1'], ['requestId', 'req-1'], ['uuid', 'u-1']], ['$.at'])
    const b = normalizeJson({id: 'order-k2', by: 'req-2', ref: 'u-2', at: 9}, [['key', 'k2'], ['requestId', 'req-2'], ['uuid', 'u-2']], ['$.at'])
    expect(a).toEqual({id: 'order-{{key}}', by: '{{requestId}}', ref: '{{uuid}}'})
    expect(sameJson(a, b)).toBe(true)
  })

  it('keeps real differences', () => {
    const a = normalizeJson({value: 1, key: 'k1'}, [['key', 'k1']], [])
    const b = normalizeJson({value: 2, key: 'k2'}, [['key', 'k2']], [])
    expect(sameJson(a, b)).toBe(false)
  })

  it('replaces inside object keys and arrays, and ignores empty values', () => {
    expect(normalizeJson({k1: ['k1', 'x']}, [['key', 'k1'], ['requestId', '']], [])).toEqual({'{{key}}': ['{{key}}', 'x']})
  })
})
