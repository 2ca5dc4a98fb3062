/**
 * Profile sets: names a scenario lists among its profiles that select checks other than fault
 * profiles. `idempotency-key` checks an HTTP endpoint against the IETF httpapi Idempotency-Key
 * draft, rule by rule, with requests faultline shapes itself (a repeat, a concurrent twin,
 * another payload, no key) rather than with faults on the client's own attempts.
 */
export interface ProfileSet {
  name: string
  description: string
  /** The rules it checks, in the order they are reported. */
  rules: ReadonlyArray<{name: string; requirement: string}>
}

export const IDEMPOTENCY_KEY_SET: ProfileSet = {
  name: 'idempotency-key',
  description: 'Checks the endpoint against the IETF httpapi Idempotency-Key draft, one rule at a time (HTTP only).',
  rules: [
    {name: 'replay', requirement: 'a repeat with the same key and payload gets the first reply'},
    {name: 'replay-error', requirement: 'a repeat of a request that failed while executing gets the same error'},
    {name: 'in-flight', requirement: 'a request whose key is still executing gets 409'},
    {name: 'payload-mismatch', requirement: 'the same key with another payload gets 422'},
    {name: 'missing-key', requirement: 'a request without the key gets 400 when the key is required'},
  ],
}

export const PROFILE_SETS: ReadonlyMap<string, ProfileSet> = new Map([[IDEMPOTENCY_KEY_SET.name, IDEMPOTENCY_KEY_SET]])

export function isProfileSet(name: string): boolean {
  return PROFILE_SETS.has(name)
}
