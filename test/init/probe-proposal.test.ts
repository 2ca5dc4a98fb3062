import {describe, expect, it} from 'vitest'
import {ABSENT, proposeSelect} from '../../src/init/probe-proposal.js'

describe('effect probe proposal', () => {
  it('selects a number that changed by the same step around every write as a count', () => {
    const p = proposeSelect([
      {before: {key: 'a', value: 0, seen: 5}, after: {key: 'a', value: 1, seen: 9}},
      {before: {key: 'b', value: 1, seen: 9}, after: {key: 'b', value: 2, seen: 10}},
    ])
    expect(p).toMatchObject({select: '$.value', oracle: 'count'})
  })

  it('counts from a resource that did not exist yet (404 before) as from 0', () => {
    expect(proposeSelect([{before: ABSENT, after: {items: [{n: 1}], total: 3}}])).toMatchObject({select: '$.total', oracle: 'count'})
  })

  it('falls back to the state the write set when no number changed by a constant step', () => {
    const p = proposeSelect([
      {before: ABSENT, after: {key: 'a', value: 'v-a'}, writeBody: {value: 'v-a'}},
      {before: {key: 'a', value: 'v-a', n: 1}, after: {key: 'a', value: 'v-b', n: 3}, writeBody: {value: 'v-b'}},
    ])
    expect(p).toMatchObject({select: '$.value', oracle: 'state'})
  })

  it('selects the whole read when nothing echoes the write', () => {
    expect(proposeSelect([{after: {status: 'open'}, writeBody: {note: 'x'}}])).toMatchObject({select: '$', oracle: 'state'})
  })
})
