import {setTimeout as sleep} from 'node:timers/promises'
import {isAddressServed} from './ready-probe.js'

/**
 * Resolves true once nothing accepts TCP connections on host:port any more, false if
 * `timeoutMs` passed first. Used before a restart: the kernel may hand the old server's
 * listening socket over to a thread or process faultline does not see die at once.
 * Rejects with the signal's reason when it aborts.
 */
export async function waitAddressReleased(
  host: string,
  port: number,
  options: {timeoutMs: number; intervalMs: number; signal?: AbortSignal},
): Promise<boolean> {
  const deadline = performance.now() + options.timeoutMs
  while (await isAddressServed(host, port)) {
    if (performance.now() >= deadline) return false
    options.signal?.throwIfAborted()
    await sleep(options.intervalMs, undefined, {signal: options.signal}).catch((error: unknown) => {
      throw options.signal?.reason ?? error
    })
  }
  return true
}
