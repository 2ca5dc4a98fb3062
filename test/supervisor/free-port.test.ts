import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {kernelPortRange} from '../../src/supervisor/free-port.js'
import {findFreePort} from '../../src/supervisor/index.js'
import {canListen} from './helpers.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

function rangeFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fl-port-range-'))
  dirs.push(dir)
  const file = join(dir, 'ip_local_port_range')
  writeFileSync(file, text)
  return file
}

describe('findFreePort', () => {
  it('returns a port on 127.0.0.1 that can be listened on', async () => {
    const port = await findFreePort()
    expect(Number.isInteger(port) && port > 0 && port < 65536).toBe(true)
    expect(await canListen(port)).toBe(true)
  })

  it('draws the port below the kernel range, where no outgoing connection can take it while a crashed server is down', async () => {
    const range: [number, number] = [32768, 60999]
    for (let i = 0; i < 20; i++) {
      const port = await findFreePort('127.0.0.1', range)
      expect(port).toBeGreaterThanOrEqual(10_000)
      expect(port).toBeLessThan(32768)
    }
  })

  it('leaves the choice to the kernel when there is no room below its range, or no range', async () => {
    const low = await findFreePort('127.0.0.1', [10_500, 60999])
    expect(low).toBeGreaterThan(0)
    expect(await canListen(await findFreePort('127.0.0.1', undefined))).toBe(true)
  })

  it('reads the kernel range, and nothing from a file it cannot read or parse', () => {
    expect(kernelPortRange(rangeFile('32768\t60999\n'))).toEqual([32768, 60999])
    expect(kernelPortRange(rangeFile('nonsense'))).toBeUndefined()
    expect(kernelPortRange(join(tmpdir(), 'fl-no-such-file'))).toBeUndefined()
  })
})
