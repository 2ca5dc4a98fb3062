/**
 * A payload that differs from `body` in one place: its first scalar (depth first) changed:
 * a number plus one, a string with `-other` appended, a boolean flipped. Undefined when the
 * body holds no scalar to change.
 */
export function otherPayload(body: unknown): unknown {
  const changed = change(body)
  return changed.done ? changed.value : undefined
}

function change(value: unknown): {value: unknown; done: boolean} {
  if (typeof value === 'number') return {value: value + 1, done: true}
  if (typeof value === 'string') return {value: `${value}-other`, done: true}
  if (typeof value === 'boolean') return {value: !value, done: true}
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const inner = change(item)
      if (inner.done) return {value: value.map((v, j) => (j === i ? inner.value : v)), done: true}
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, item] of Object.entries(value)) {
      const inner = change(item)
      if (inner.done) return {value: {...value, [k]: inner.value}, done: true}
    }
  }
  return {value, done: false}
}
