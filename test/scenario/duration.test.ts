import {describe, expect, it} from 'vitest'
import {DurationError, formatDuration, parseDuration, parseDurationSpec} from '../../src/scenario/duration.js'

describe('parseDuration', () => {
  it.each([
    ['300ms', 300],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['0', 0],
    ['250', 250],
    [' 10 ms ', 10],
    ['.5s', 500],
    [42, 42],
    [0.5, 0.5],
  ])('%j is %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms)
  })

  it.each([['3 secs'], ['1h'], ['-5ms'], ['ms'], [''], ['1.2.3s'], [-1], [Number.NaN], [true], [null], [{}]])(
    'rejects %j with the accepted forms',
    (input) => {
      expect(() => parseDuration(input)).toThrow(DurationError)
      expect(() => parseDuration(input)).toThrow(/must be a duration like 300ms, 1\.5s or 2m/)
    },
  )

  it('quotes the bad value', () => {
    expect(() => parseDuration('3 secs')).toThrow(
      'must be a duration like 300ms, 1.5s or 2m (a bare number means milliseconds) (got "3 secs")',
    )
  })
})

describe('parseDurationSpec', () => {
  it('parses a range of mixed units', () => {
    expect(parseDurationSpec(['10ms', '1s'], {allowRange: true})).toEqual([10, 1000])
    expect(parseDurationSpec([5, '50ms'], {allowRange: true})).toEqual([5, 50])
  })

  it('collapses an empty range to one value', () => {
    expect(parseDurationSpec(['20ms', 20], {allowRange: true})).toBe(20)
  })

  it('refuses ranges where they are not allowed', () => {
    expect(() => parseDurationSpec(['10ms', '20ms'])).toThrow('a range is not allowed here')
  })

  it('names the bad end of a range', () => {
    expect(() => parseDurationSpec(['10ms', 'soon'], {allowRange: true})).toThrow(
      /^range max: must be a duration/,
    )
  })

  it('rejects min above max and wrong lengths', () => {
    expect(() => parseDurationSpec(['200ms', '10ms'], {allowRange: true})).toThrow(
      'range [200ms, 10ms]: min must not be greater than max',
    )
    expect(() => parseDurationSpec(['1ms'], {allowRange: true})).toThrow('exactly two ends')
  })

  it('mentions ranges in the error where they are allowed', () => {
    expect(() => parseDurationSpec('x', {allowRange: true})).toThrow(
      /or a \[min, max\] range like \[10ms, 200ms\]/,
    )
  })
})

describe('formatDuration', () => {
  it.each([
    [300, '300ms'],
    [1500, '1.5s'],
    [1000, '1s'],
    [120_000, '2m'],
    [90_000, '90s'],
    [1234, '1234ms'],
  ])('%d → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
    expect(parseDuration(text)).toBe(ms)
  })
})
