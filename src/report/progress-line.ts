/**
 * One self-overwriting status line on a terminal (stderr): trials done per endpoint.
 * Only used when stderr is a TTY; cleared before the report is printed.
 */
export class ProgressLine {
  private readonly done = new Map<string, [number, number]>()
  private shown = false

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(endpoint: string, done: number, total: number): void {
    this.done.set(endpoint, [done, total])
    const text = [...this.done].map(([name, [d, t]]) => `${name} ${d}/${t}`).join('  ')
    const width = Math.max(20, (this.stream.columns ?? 80) - 1)
    this.stream.write(`\r${text.slice(0, width).padEnd(width)}`)
    this.shown = true
  }

  clear(): void {
    if (this.shown) this.stream.write(`\r${' '.repeat(Math.max(20, (this.stream.columns ?? 80) - 1))}\r`)
    this.shown = false
  }
}
