import type {ProbeConversion} from '../scenario/types.js'
import {ProbeNumber} from './probe-number.js'
import {shorten} from './shorten.js'

/** What an effect probe's `as` made of the selected value, or why it could not. */
export type Conversion = {ok: true; number: ProbeNumber} | {ok: false; problem: string}

/**
 * Read a selected JSON value as a count.
 * - `number`: a JSON number, a decimal string (`"123"`, `"-5"`, `"1.5"`) or a `0x` hex string
 *   (`"0x1bc16d674ec80000"`), exactly. A JSON number beyond 2^53 is refused: the JSON parser
 *   already rounded it, so counting it could not be exact.
 * - `length`: the number of elements of an array, keys of an object, characters (Unicode code
 *   points) of a string.
 */
export function convertProbeValue(value: unknown, as: ProbeConversion): Conversion {
  return as === 'number' ? asNumber(value) : asLength(value)
}

function asNumber(value: unknown): Conversion {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return {ok: false, problem: `${shown(value)} is not a finite number`}
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      return {
        ok: false,
        problem: `the JSON number ${shown(value)} is beyond 2^53, where JSON numbers lose digits when parsed, so it cannot be counted exactly; select a string form of it if the server has one, or leave out as: number to count it approximately`,
      }
    }
    return {ok: true, number: ProbeNumber.fromNumber(value)}
  }
  if (typeof value === 'string') {
    const number = ProbeNumber.parseHex(value) ?? ProbeNumber.parseDecimal(value)
    if (number) return {ok: true, number}
    return {
      ok: false,
      problem: `the string ${shown(value)} is not a number; as: number reads JSON numbers, decimal strings such as "123" or "-1.5", and 0x hex strings such as "0x1bc16d674ec80000"`,
    }
  }
  return {
    ok: false,
    problem: `${shown(value)} is not a number or a number string; select a number, or use as: length to count elements`,
  }
}

function asLength(value: unknown): Conversion {
  if (Array.isArray(value)) return {ok: true, number: ProbeNumber.fromInteger(value.length)}
  if (typeof value === 'string') return {ok: true, number: ProbeNumber.fromInteger([...value].length)}
  if (value !== null && typeof value === 'object')
    return {ok: true, number: ProbeNumber.fromInteger(Object.keys(value).length)}
  return {
    ok: false,
    problem: `${shown(value)} has no length; as: length counts the elements of an array, the keys of an object or the characters of a string`,
  }
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return shorten(text, 80)
}
