/**
 * Pieces of the text `JSON.stringify(value, null, 2)` gives, for a document written part by
 * part: an object whose last field's value comes in chunks, and an array whose items do. Put
 * together at the right depth they equal the whole document's text byte for byte, so a large
 * array can be written one item at a time without the whole value or text ever existing.
 * `indent` is the indentation of the line the value starts on (two spaces per level).
 */

const STEP = '  '

/** `value` as `JSON.stringify(value, null, 2)` prints it nested at `indent` (`null` where it prints nothing, as inside an array). */
export function jsonText(value: unknown, indent: string): string {
  // JSON text has no raw line break inside a string: every '\n' starts a line to indent.
  return (JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', `\n${indent}`)
}

/**
 * The object `{...fields, [key]: last}`: the fields as JSON.stringify prints them (undefined
 * ones left out), then `key`, whose value `last(depth)` yields at the nesting depth it gets.
 */
export function* objectEndingWith(fields: object, key: string, indent: string, last: (indent: string) => Iterable<string>): Generator<string> {
  const inner = indent + STEP
  const text = jsonText(fields, indent)
  // '{\n  "a": 1\n}' → '{\n  "a": 1,' ; '{}' → '{'
  yield text === '{}' ? '{' : `${text.slice(0, -(indent.length + 2))},`
  yield `\n${inner}${JSON.stringify(key)}: `
  yield* last(inner)
  yield `\n${indent}}`
}

/** An array nested at `indent` whose items `item(value, depth)` yields one after another: `[]` when there are none. */
export function* arrayOf<T>(items: Iterable<T>, indent: string, item: (value: T, indent: string) => Iterable<string>): Generator<string> {
  const inner = indent + STEP
  let first = true
  for (const value of items) {
    yield `${first ? '[' : ','}\n${inner}`
    first = false
    yield* item(value, inner)
  }
  yield first ? '[]' : `\n${indent}]`
}
