/** Run `task` over `items` with at most `limit` at once, keeping result order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const workers = Array.from({length: Math.max(1, Math.min(limit, items.length))}, async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index] as T)
    }
  })
  await Promise.all(workers)
  return results
}
