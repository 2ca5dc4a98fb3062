import type {ProbeReading} from './probe.js'

/**
 * An exact decimal number read by an effect probe: `digits × 10^-scale`. Counters and
 * balances are integers far beyond 2^53 (wei), so the count oracle never does its
 * arithmetic in floating point: deltas and units are exact, and only the final execution
 * count becomes a JS number.
 */
export class ProbeNumber {
  static readonly ZERO = new ProbeNumber(0n, 0)

  private constructor(
    readonly digits: bigint,
    /** Digits after the decimal point; never negative. */
    readonly scale: number,
  ) {}

  /** A decimal text such as `123`, `-5`, `1.5`, `.5`, `2e18`; undefined when it is not one. */
  static parseDecimal(text: string): ProbeNumber | undefined {
    const m = DECIMAL.exec(text)
    if (!m) return undefined
    const [, sign, whole = '', fraction = '', exponent = '0'] = m
    if (whole === '' && fraction === '') return undefined
    const shift = Number(exponent)
    if (Math.abs(shift) > MAX_EXPONENT) return undefined
    const digits = BigInt(`${whole}${fraction}` || '0') * (sign === '-' ? -1n : 1n)
    return ProbeNumber.of(digits, fraction.length - shift)
  }

  /** A `0x` hexadecimal integer such as `0x1bc16d674ec80000` (Ethereum quantities); undefined when it is not one. */
  static parseHex(text: string): ProbeNumber | undefined {
    const m = HEX.exec(text)
    if (!m) return undefined
    const magnitude = BigInt(`0x${m[2] as string}`)
    return new ProbeNumber(m[1] === '-' ? -magnitude : magnitude, 0)
  }

  /** A finite JS number, taken as the decimal it prints as (the literal the server wrote). */
  static fromNumber(value: number): ProbeNumber {
    return ProbeNumber.parseDecimal(String(value)) as ProbeNumber
  }

  static fromInteger(value: bigint | number): ProbeNumber {
    return new ProbeNumber(BigInt(value), 0)
  }

  private static of(digits: bigint, scale: number): ProbeNumber {
    return scale >= 0 ? new ProbeNumber(digits, scale) : new ProbeNumber(digits * 10n ** BigInt(-scale), 0)
  }

  minus(other: ProbeNumber): ProbeNumber {
    const scale = Math.max(this.scale, other.scale)
    return new ProbeNumber(this.scaledTo(scale) - other.scaledTo(scale), scale)
  }

  isZero(): boolean {
    return this.digits === 0n
  }

  /**
   * `this / divisor` rounded to hundredths (half up, as Math.round), as a JS number. The
   * division is exact: 2 units of 10^18 + 1 wei give exactly 2.
   */
  dividedBy(divisor: ProbeNumber): number {
    if (divisor.isZero()) throw new RangeError('division of a probe number by zero')
    const scale = Math.max(this.scale, divisor.scale)
    let numerator = this.scaledTo(scale) * 100n
    let denominator = divisor.scaledTo(scale)
    if (denominator < 0n) {
      numerator = -numerator
      denominator = -denominator
    }
    // floor((2n + d) / 2d): round half up, for either sign of n.
    const twice = 2n * numerator + denominator
    const hundredths =
      twice >= 0n ? twice / (2n * denominator) : -((-twice + 2n * denominator - 1n) / (2n * denominator))
    return Number(hundredths) / 100
  }

  /** The exact decimal text, e.g. `2000000000000000002` or `-1.5`. */
  toString(): string {
    const negative = this.digits < 0n
    const text = (negative ? -this.digits : this.digits).toString().padStart(this.scale + 1, '0')
    const whole = text.slice(0, text.length - this.scale)
    const fraction = this.scale > 0 ? `.${text.slice(text.length - this.scale)}` : ''
    return `${negative ? '-' : ''}${whole}${fraction}`
  }

  private scaledTo(scale: number): bigint {
    return this.digits * 10n ** BigInt(scale - this.scale)
  }
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]+)$/
/** Exponents beyond this are refused: 10^1000 already exceeds any counter, and a reply must not make us build huge integers. */
const MAX_EXPONENT = 1000

/**
 * The number a reading stands for in the count oracle: an absent resource counts as 0; a
 * value counts through its `as` conversion when the probe has one, else when it is a JSON
 * number. Undefined when the reading is not a number (an error, or other JSON).
 */
export function readingNumber(reading: ProbeReading): ProbeNumber | undefined {
  if (reading.kind === 'absent') return ProbeNumber.ZERO
  if (reading.kind !== 'value') return undefined
  if (reading.number !== undefined) return ProbeNumber.parseDecimal(reading.number)
  return typeof reading.value === 'number' && Number.isFinite(reading.value)
    ? ProbeNumber.fromNumber(reading.value)
    : undefined
}

/**
 * Executions between two readings, `(after - before) / unit`, rounded to hundredths;
 * undefined when either reading is not a number.
 */
export function countExecutions(
  before: ProbeReading,
  after: ProbeReading,
  unit: ProbeNumber,
): number | undefined {
  const a = readingNumber(before)
  const b = readingNumber(after)
  return a === undefined || b === undefined ? undefined : b.minus(a).dividedBy(unit)
}
