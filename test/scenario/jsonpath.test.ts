import {describe, expect, it} from 'vitest'
import {
  isValidJsonPath,
  jsonPathProblem,
  removePaths,
  selectAll,
  selectJson,
} from '../../src/jsonpath.js'

const doc = {
  value: 3,
  zero: 0,
  nothing: null,
  empty: [],
  list: [[1, 2]],
  items: [
    {id: 'a', n: 1},
    {id: 'b', n: 2},
  ],
}

describe('selectJson', () => {
  it('selects the first match', () => {
    expect(selectJson(doc, '$.value')).toEqual({found: true, value: 3})
    expect(selectJson(doc, '$.items[*].id')).toEqual({found: true, value: 'a'})
    expect(selectJson(doc, '$.items[?(@.n > 1)].id')).toEqual({found: true, value: 'b'})
  })

  it('tells falsy and empty values from no match', () => {
    expect(selectJson(doc, '$.zero')).toEqual({found: true, value: 0})
    expect(selectJson(doc, '$.nothing')).toEqual({found: true, value: null})
    expect(selectJson(doc, '$.empty')).toEqual({found: true, value: []})
    expect(selectJson(doc, '$.missing')).toEqual({found: false, value: undefined})
  })

  it('does not flatten a selected array', () => {
    expect(selectJson(doc, '$.list[0]')).toEqual({found: true, value: [1, 2]})
  })

  it('handles scalar and null documents', () => {
    expect(selectJson(5, '$')).toEqual({found: true, value: 5})
    expect(selectJson(null, '$')).toEqual({found: true, value: null})
    expect(selectJson(null, '$.a')).toEqual({found: false, value: undefined})
    expect(selectJson(undefined, '$')).toEqual({found: false, value: undefined})
  })

  it('selects falsy scalar documents with $ (a JSON-RPC result of 0, false or "")', () => {
    expect(selectJson(0, '$')).toEqual({found: true, value: 0})
    expect(selectJson(false, '$')).toEqual({found: true, value: false})
    expect(selectJson('', '$')).toEqual({found: true, value: ''})
    expect(selectJson(0, '$.a')).toEqual({found: false, value: undefined})
  })

  it('$.length selects the length of an array or a string, not of an object', () => {
    expect(selectJson({rows: [{}, {}, {}]}, '$.rows.length')).toEqual({found: true, value: 3})
    expect(selectJson([], '$.length')).toEqual({found: true, value: 0})
    expect(selectJson({name: 'abcd'}, '$.name.length')).toEqual({found: true, value: 4})
    expect(selectJson({a: 1, b: 2}, '$.length')).toEqual({found: false, value: undefined})
  })

  it('selectAll returns every match', () => {
    expect(selectAll(doc, '$..id')).toEqual(['a', 'b'])
  })
})

describe('removePaths', () => {
  it('removes matched fields from a deep copy', () => {
    const state = {id: 1, updatedAt: 't', nested: {version: 3, keep: true}}
    expect(removePaths(state, ['$.updatedAt', '$.nested.version'])).toEqual({id: 1, nested: {keep: true}})
    expect(state).toEqual({id: 1, updatedAt: 't', nested: {version: 3, keep: true}})
  })

  it('removes several array elements without shifting', () => {
    expect(removePaths({a: [0, 1, 2, 3, 4]}, ['$.a[1]', '$.a[3]'])).toEqual({a: [0, 2, 4]})
    expect(removePaths({a: [0, 1, 2, 3]}, ['$.a[*]'])).toEqual({a: []})
  })

  it('removes by recursive descent and filter', () => {
    expect(removePaths(doc, ['$..n'])).toEqual({...doc, items: [{id: 'a'}, {id: 'b'}]})
    expect(removePaths(doc, ['$.items[?(@.id == "a")]'])).toEqual({...doc, items: [{id: 'b', n: 2}]})
  })

  it('ignores paths that match nothing and drops the root', () => {
    expect(removePaths({a: 1}, ['$.b'])).toEqual({a: 1})
    expect(removePaths({a: 1}, ['$'])).toBeUndefined()
  })
})

describe('isValidJsonPath', () => {
  it.each([
    '$',
    '$.value',
    '$.items[0].id',
    "$['a b']",
    '$..id',
    '$..[0]',
    '$.items[?(@.n > 1)]',
    '$.a[*]',
    '$.a[-1:]',
    '$.x-y',
  ])('accepts %s', (path) => {
    expect(jsonPathProblem(path)).toBeUndefined()
    expect(isValidJsonPath(path)).toBe(true)
  })

  it.each([
    ['value', 'must start with $'],
    ['', 'must start with $'],
    ['$.', 'a name is missing after "."'],
    ['$..', 'a name is missing after ".."'],
    ['$.a[', '"[" at character 4 is not closed'],
    ['$.a[]', 'empty brackets'],
    ['$a', 'unexpected "a"'],
    ["$['a]", 'is not closed'],
    ['$.a[?(@.n ==)]', 'bad expression'],
  ])('rejects %j: %s', (path, reason) => {
    expect(jsonPathProblem(path)).toContain(reason)
    expect(isValidJsonPath(path)).toBe(false)
  })
})
