import {stripVTControlCharacters} from 'node:util'
import {describe, expect, it} from 'vitest'
import {formatEvent, wantsColor} from '../../src/report/event-line.js'

const event = {
  time: new Date(2026, 0, 2, 3, 4, 5, 6).getTime(),
  type: 'fault' as const,
  proxy: 'db',
  conn: 'c3',
  fault: 'reset_peer',
  phase: 'downstream',
  detail: {toxic: 'reset_peer_downstream', action: 'reset', note: 'two words'},
}

describe('formatEvent', () => {
  it('renders one plain line without colour', () => {
    expect(formatEvent(event)).toBe(
      '03:04:05.006 db c3 fault reset_peer downstream toxic=reset_peer_downstream action=reset note="two words"',
    )
  })

  it('adds ANSI colour only when asked', () => {
    const line = formatEvent(event, {color: true})
    expect(line).toContain('\u001b[')
    expect(stripVTControlCharacters(line)).toBe(formatEvent(event))
  })

  it('wants colour only on a TTY without NO_COLOR', () => {
    expect(wantsColor({isTTY: true}, {})).toBe(true)
    expect(wantsColor({isTTY: false}, {})).toBe(false)
    expect(wantsColor({isTTY: true}, {NO_COLOR: '1'})).toBe(false)
  })
})
