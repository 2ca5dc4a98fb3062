import {setTimeout as sleep} from 'node:timers/promises'
import {probeOnce, type ReadyProbe} from './ready-probe.js'
import type {ServerRun} from './server-run.js'

/** Bound on one probe attempt. */
const PROBE_ATTEMPT_MS = 1000

/** What ended the wait for a new server: its ready probe, its exit, the startup timeout, or the abort signal. */
export type ReadinessOutcome = 'ready' | 'exit' | 'timeout' | 'abort'

export interface ReadinessWait {
  probe: ReadyProbe
  startupTimeoutMs: number
  probeIntervalMs: number
  signal?: AbortSignal
}

/** Race the run's ready probe against its exit, the startup timeout and the signal; no timer or listener outlives it. */
export async function raceReadiness(run: ServerRun, startedAt: number, wait: ReadinessWait): Promise<ReadinessOutcome> {
  const {signal, startupTimeoutMs} = wait
  const done = new AbortController()
  const aborted = signal
    ? new Promise<'abort'>((resolve) => {
        if (signal.aborted) resolve('abort')
        signal.addEventListener('abort', () => resolve('abort'), {once: true, signal: done.signal})
      })
    : new Promise<'abort'>(() => {})
  return Promise.race([
    probeUntilReady(run, startedAt + startupTimeoutMs, wait, done.signal).then(() => 'ready' as const),
    run.exited.then(() => 'exit' as const),
    sleep(startupTimeoutMs, 'timeout' as const, {signal: done.signal}),
    aborted,
  ]).finally(() => done.abort())
}

async function probeUntilReady(run: ServerRun, deadline: number, wait: ReadinessWait, signal: AbortSignal): Promise<void> {
  const {probe} = wait
  if (probe.kind === 'log') return run.logMatched
  for (;;) {
    const budget = Math.min(PROBE_ATTEMPT_MS, Math.max(1, deadline - performance.now()))
    const attempt = await probeOnce(probe, budget, signal)
    if (attempt.ready) return
    if (!signal.aborted) run.lastProbe = attempt.detail
    await sleep(wait.probeIntervalMs, undefined, {signal})
  }
}
