import {describe, expect, it} from 'vitest'
import {faultsFromFlags} from '../../src/scenario/profile-flags.js'
import {UsageError} from '../../src/errors.js'

/** The standalone proxy speaks HTTP: status faults with HTTP statuses run, gRPC ones are bad usage. */
describe('faultline proxy flags: status faults', () => {
  it('--fault status --mode 503 and the HTTP status profiles are accepted', async () => {
    const [fault] = await faultsFromFlags({fault: 'status', mode: '503', phase: 'reply'})
    expect(fault?.fault).toMatchObject({type: 'status', mode: '503', phase: 'reply'})
    const [profile] = await faultsFromFlags({profile: ['status-429-retry-after']})
    expect(profile?.fault).toMatchObject({type: 'status', mode: '429', retryAfter: 1})
  })

  it('a gRPC status is refused with one line naming the flag', async () => {
    const refused = (flags: Parameters<typeof faultsFromFlags>[0]) => faultsFromFlags(flags).then(() => undefined, (e: unknown) => e)
    const fromProfile = await refused({profile: ['status-unavailable']})
    expect(fromProfile).toBeInstanceOf(UsageError)
    expect((fromProfile as Error).message).toBe('--profile status-unavailable: status faults with mode UNAVAILABLE apply to grpc targets only; this proxy speaks http')
    const fromFault = await refused({fault: 'status', mode: 'UNAVAILABLE'})
    expect((fromFault as Error).message).toBe('--fault status: status faults with mode UNAVAILABLE apply to grpc targets only; this proxy speaks http')
  })
})
