/** How many requests each route saw, in the order routes first appeared. */
export class RouteCounts {
  private readonly counts = new Map<string, number>()
  private changes = 0

  add(route: string): void {
    this.counts.set(route, (this.counts.get(route) ?? 0) + 1)
    this.changes += 1
  }

  /** Grows with every `add`: whoever shows the counts can tell whether anything changed. */
  get version(): number {
    return this.changes
  }

  get total(): number {
    let sum = 0
    for (const n of this.counts.values()) sum += n
    return sum
  }

  /** `POST /counters/{id}/increment 3  GET /health 1` */
  summary(): string {
    if (this.counts.size === 0) return 'no requests yet'
    return [...this.counts].map(([route, n]) => `${route} ${n}`).join('  ')
  }
}
