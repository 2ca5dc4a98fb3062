/**
 * Run `task` over `items` with at most `limit` at once, keeping result order. Items are taken
 * from the iterable only as a worker becomes free, so a lazy plan is never built all at once.
 */
export async function mapLimit<T, R>(items: Iterable<T>, limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  const iterator = items[Symbol.iterator]()
  let index = 0
  let done = false
  const take = (): {item: T; at: number} | undefined => {
    if (done) return undefined
    const next = iterator.next()
    if (next.done) {
      done = true
      return undefined
    }
    return {item: next.value, at: index++}
  }
  const worker = async (): Promise<void> => {
    for (let next = take(); next; next = take()) results[next.at] = await task(next.item)
  }
  await Promise.all(Array.from({length: Math.max(1, limit)}, worker))
  return results
}
