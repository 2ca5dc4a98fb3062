import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'
import {testDir} from '../helpers/temp-dir.js'

describe('faultline check on a gRPC target (the real binary)', () => {
  it('runs the bundled gRPC demo green and names the breaking trial', {timeout: 120_000}, async () => {
    const r = await runCli(['check', 'fixtures/grpc-demo.yaml', '--seed', '5'], {env: {TMPDIR: testDir('fl-grpc-')}})
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/naive-deposit.*expect at-least-once ✓ met/)
    expect(r.stdout).toMatch(/dedup-deposit.*expect exactly-once ✓ met/)
    expect(r.stdout).toMatch(/flaky-deposit.*expect at-least-once ✓ met/)
    expect(r.stdout).toMatch(/✗ at-most-once broken by trial \d+/)
    expect(r.stdout).toMatch(/replay: faultline check fixtures\/grpc-demo.yaml --seed 5 --only naive-deposit --trial \d+/)
    expect(r.stdout).toMatch(/3 endpoints: 3 met, 0 failed/)
  })
})
