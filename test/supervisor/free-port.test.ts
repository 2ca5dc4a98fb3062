import {describe, expect, it} from 'vitest'
import {findFreePort} from '../../src/supervisor/index.js'
import {canListen} from './helpers.js'

describe('findFreePort', () => {
  it('returns a port on 127.0.0.1 that can be listened on', async () => {
    const port = await findFreePort()
    expect(Number.isInteger(port) && port > 0 && port < 65536).toBe(true)
    expect(await canListen(port)).toBe(true)
  })
})
