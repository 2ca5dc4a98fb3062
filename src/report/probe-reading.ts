/**
 * A probe reading from an event as text: `1`, `absent`, `error: …`, or with effect.replica
 * any|all one reading per replica by name, `primary=down backup=1` (down: not read), and the
 * one replica effect.replica primary|backup read, `backup=1`.
 */
export function describeReading(value: unknown, max: number): string {
  const r = value as {kind?: string; readings?: Array<{replica: string; down?: true; reading?: unknown}>} | undefined
  if (r?.kind === 'replicas') return (r.readings ?? []).map((one) => `${one.replica}=${one.down ? 'down' : plain(one.reading, max)}`).join(' ')
  // effect.replica primary|backup on a replicated target: the one replica read, by name.
  const replica = (value as {replica?: unknown} | undefined)?.replica
  return typeof replica === 'string' ? `${replica}=${plain(value, max)}` : plain(value, max)
}

function plain(value: unknown, max: number): string {
  const r = value as {kind?: string; value?: unknown; message?: string} | undefined
  if (r?.kind === 'value') return clip(JSON.stringify(r.value) ?? 'undefined', max)
  if (r?.kind === 'error') return `error: ${clip(r.message ?? '', max)}`
  return 'absent'
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}
