import type {Contract} from '../scenario/types.js'

/** `exactly-once, reply-consistent`, or `none` when the endpoint expects nothing. */
export function expectationLabel(expect: readonly Contract[]): string {
  return expect.length === 0 ? 'none' : expect.join(', ')
}
