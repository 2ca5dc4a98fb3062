import {describe, expect, it} from 'vitest'
import {collectBodyIds, templateJson, templateText, type TemplateName} from '../../src/init/value-template.js'

describe('value templates', () => {
  it('replaces a recorded literal only where it stands alone', () => {
    const subs = new Map<string, TemplateName>([['42', 'key']])
    expect(templateText('/orders/42/items?x=42', subs)).toBe('/orders/{{key}}/items?x={{key}}')
    expect(templateText('SKU-1420 on 2026-04-21', subs)).toBe('SKU-1420 on 2026-04-21')
    expect(templateJson({value: 'v-42', n: 42, list: ['42']}, subs)).toEqual({value: 'v-{{key}}', n: 42, list: ['{{key}}']})
  })

  it('prefers the longest literal and escapes regex characters', () => {
    const subs = new Map<string, TemplateName>([['a.b', 'key'], ['a.b.c', 'requestId']])
    expect(templateText('a.b.c and a.b and axb', subs)).toBe('{{requestId}} and {{key}} and axb')
  })

  it('finds request ids by field name and uuids by shape', () => {
    const subs = new Map<string, TemplateName>()
    collectBodyIds({request_id: 'r1', nested: {ref: '0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d'}, name: 'plain'}, subs)
    expect([...subs]).toEqual([['r1', 'requestId'], ['0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d', 'uuid']])
  })
})
