/** Something a proxy must cancel when it closes: a held request, a timer. */
export interface Cancelable {
  cancel(): void
}

/**
 * Wait `ms`, registered in `pending` so that closing the proxy ends the wait at once (the
 * promise then resolves early). No timer outlives the proxy.
 */
export function pendingSleep(ms: number, pending: Set<Cancelable>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(entry)
      resolve()
    }, ms)
    const entry: Cancelable = {
      cancel: () => {
        clearTimeout(timer)
        resolve()
      },
    }
    pending.add(entry)
  })
}
