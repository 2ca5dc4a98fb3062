import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {convertProbeValue} from '../../src/check/probe-conversion.js'
import {countExecutions, ProbeNumber, readingNumber} from '../../src/check/probe-number.js'

const parse = (text: string) => (ProbeNumber.parseHex(text) ?? ProbeNumber.parseDecimal(text))?.toString()
const value = (number: ProbeNumber) => ({
  kind: 'value' as const,
  value: number.toString(),
  number: number.toString(),
})

describe('ProbeNumber', () => {
  it('parses decimal and 0x hex text exactly', () => {
    expect(parse('123')).toBe('123')
    expect(parse('-5')).toBe('-5')
    expect(parse('+7')).toBe('7')
    expect(parse('1.5')).toBe('1.5')
    expect(parse('.25')).toBe('0.25')
    expect(parse('-0.05')).toBe('-0.05')
    expect(parse('2e18')).toBe('2000000000000000000')
    expect(parse('1.5E-3')).toBe('0.0015')
    expect(parse('0x1bc16d674ec80000')).toBe('2000000000000000000')
    expect(parse('0X0')).toBe('0')
    expect(parse('-0x10')).toBe('-16')
    expect(parse('123456789012345678901234567890')).toBe('123456789012345678901234567890')
  })

  it('refuses what is not a number', () => {
    for (const text of ['', '.', '-', 'abc', '0x', '0xg1', '1.2.3', '1e', ' 1', '1e5000', 'Infinity', 'NaN'])
      expect(parse(text), text).toBeUndefined()
  })

  it('takes a JS number as the decimal it prints as', () => {
    expect(ProbeNumber.fromNumber(0.1).toString()).toBe('0.1')
    expect(ProbeNumber.fromNumber(-3).toString()).toBe('-3')
    expect(ProbeNumber.fromNumber(1e21).toString()).toBe('1000000000000000000000')
  })

  it('divides exactly, rounding to hundredths half up like Math.round', () => {
    const n = (text: string) => ProbeNumber.parseDecimal(text) as ProbeNumber
    expect(n('2000000000000000014').dividedBy(n('1000000000000000007'))).toBe(2)
    expect(n('0.3').minus(n('0.1')).dividedBy(n('0.1'))).toBe(2)
    expect(n('1').dividedBy(n('3'))).toBe(0.33)
    expect(n('-5').dividedBy(n('-2.5'))).toBe(2)
    expect(n('-1').dividedBy(n('200'))).toBe(0)
    expect(n('-3').dividedBy(n('200'))).toBe(Math.round(-1.5) / 100)
    expect(n('1').dividedBy(n('200'))).toBe(0.01)
    expect(() => n('1').dividedBy(ProbeNumber.ZERO)).toThrow(RangeError)
  })

  it('counts k executions of any unit from any start exactly, far beyond 2^53', () => {
    const big = fc.bigInt({min: -(2n ** 200n), max: 2n ** 200n})
    fc.assert(
      fc.property(
        big,
        big.filter((u) => u !== 0n),
        fc.integer({min: 0, max: 9}),
        (start, unit, k) => {
          const before = ProbeNumber.fromInteger(start)
          const after = ProbeNumber.fromInteger(start + BigInt(k) * unit)
          expect(countExecutions(value(before), value(after), ProbeNumber.fromInteger(unit))).toBe(k)
        },
      ),
    )
  })

  it('round-trips its decimal text', () => {
    fc.assert(
      fc.property(fc.bigInt(), fc.integer({min: 0, max: 40}), (digits, scale) => {
        const text = (ProbeNumber.parseDecimal(`${digits}e-${scale}`) as ProbeNumber).toString()
        expect(ProbeNumber.parseDecimal(text)?.toString()).toBe(text)
        expect(
          ProbeNumber.parseDecimal(text)
            ?.minus(ProbeNumber.parseDecimal(`${digits}e-${scale}`) as ProbeNumber)
            .isZero(),
        ).toBe(true)
      }),
    )
  })
})

describe('readingNumber', () => {
  it('counts an absent resource as 0, a JSON number as itself, other JSON as no number', () => {
    expect(readingNumber({kind: 'absent'})?.toString()).toBe('0')
    expect(readingNumber({kind: 'value', value: 4})?.toString()).toBe('4')
    expect(readingNumber({kind: 'value', value: '4'})).toBeUndefined()
    expect(readingNumber({kind: 'value', value: '0x10', number: '16'})?.toString()).toBe('16')
    expect(readingNumber({kind: 'error', message: 'x'})).toBeUndefined()
  })
})

describe('convertProbeValue', () => {
  it('as: number refuses JSON numbers the parser already rounded, and non-numbers', () => {
    expect(convertProbeValue(2 ** 53 - 1, 'number')).toMatchObject({ok: true})
    expect(convertProbeValue(2 ** 53 + 2, 'number')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/beyond 2\^53/) as unknown,
    })
    expect(convertProbeValue(null, 'number')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^null is not a number/) as unknown,
    })
    expect(convertProbeValue({balance: 1}, 'number')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^\{"balance":1\} is not a number/) as unknown,
    })
  })

  it('as: length counts code points of a string, keys of an object, elements of an array', () => {
    const length = (v: unknown) => {
      const c = convertProbeValue(v, 'length')
      return c.ok ? c.number.toString() : c.problem
    }
    expect(length('a😀b')).toBe('3')
    expect(length({})).toBe('0')
    expect(length([[1, 2], 3])).toBe('2')
    expect(length(7)).toMatch(/^7 has no length/)
  })
})
