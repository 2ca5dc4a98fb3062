import {readFile} from 'node:fs/promises'
import {
  type Alias,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
} from 'yaml'
import {ScenarioError, type SourcePosition} from '../errors.js'
import {describeValue} from './duration.js'

/** A step into parsed YAML: a mapping key or a list index. */
export type PathSegment = string | number

/** `endpoints[0].request.headers["Idempotency-Key"]`: how users see a place in their file. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`
    else out += `[${JSON.stringify(seg)}]`
  }
  return out
}

/**
 * A parsed YAML file that remembers where everything came from, so any problem found in
 * the plain data (by ajv or by semantic checks) can be reported at file:line:column.
 */
export class YamlSource {
  constructor(
    /** The file name as the user gave it; used in messages. */
    readonly file: string,
    readonly doc: Document.Parsed,
    readonly lineCounter: LineCounter,
    /** The file's content as plain data. */
    readonly data: unknown,
  ) {}

  private find(path: readonly PathSegment[]): {node?: Node; keyNode?: Node} {
    let node: unknown = this.doc.contents
    let keyNode: Node | undefined
    let lastFound: Node | undefined = isNode(node) ? node : undefined
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.doc)
      keyNode = undefined
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg),
        )
        if (!pair) return {node: lastFound}
        keyNode = isNode(pair.key) ? pair.key : undefined
        node = pair.value
      } else if (isSeq(node)) {
        node = node.items[Number(seg)]
      } else {
        return {node: lastFound}
      }
      if (isNode(node)) lastFound = node
      else return {node: keyNode ?? lastFound, keyNode}
    }
    return {node: isNode(node) ? node : lastFound, keyNode}
  }

  private at(offset: number): SourcePosition {
    const {line, col} = this.lineCounter.linePos(offset)
    return {file: this.file, line, column: col}
  }

  /**
   * Where the value at `path` is written. With `key`, the position of the mapping key
   * instead (for unknown fields). Empty values (`expect:`) point at their key.
   */
  position(path: readonly PathSegment[], options: {key?: boolean} = {}): SourcePosition {
    const {node, keyNode} = this.find(path)
    const emptyValue =
      isScalar(node) && node.value === null && (node.source === undefined || node.source === '')
    const target = (options.key || emptyValue) && keyNode ? keyNode : node
    const offset = target?.range?.[0]
    return offset === undefined ? {file: this.file, line: 1, column: 1} : this.at(offset)
  }

  /** A ScenarioError at `path`, its message prefixed with the path as users write it. */
  error(
    path: readonly PathSegment[],
    message: string,
    options: {key?: boolean; cause?: unknown} = {},
  ): ScenarioError {
    const label = path.length === 0 ? 'top level' : formatPath(path)
    return new ScenarioError(this.position(path, options), `${label}: ${message}`, {cause: options.cause})
  }
}

/*
 * Templates need no quoting, even inside flow collections: in YAML `{ path: /a/{{key}} }`
 * is a syntax error (braces are flow indicators), yet that is how people write it. Before
 * parsing, each `{{name}}` has its braces swapped for private-use characters of the same
 * length (so every offset, line and column stays true); after parsing they are swapped back
 * in every scalar. Only well-formed names are touched, so nested flow maps like
 * `{a: {b: 1}}` and complex keys keep their YAML meaning.
 */
const OPEN = '\uE000\uE000'
const CLOSE = '\uE001\uE001'
const TEMPLATE_IN_TEXT = /\{\{(\s*[A-Za-z_][\w.]*\s*)\}\}/g
const PROTECTED = /\uE000\uE000|\uE001\uE001/g

function protectTemplates(text: string): string {
  return text.replace(TEMPLATE_IN_TEXT, `${OPEN}$1${CLOSE}`)
}

function restoreTemplates(doc: Document.Parsed): void {
  const restore = (text: string): string => text.replace(PROTECTED, (m) => (m === OPEN ? '{{' : '}}'))
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string') node.value = restore(node.value)
      if (typeof node.source === 'string') node.source = restore(node.source)
    },
  })
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EISDIR') return 'it is a directory, not a file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  return (error as Error).message
}

/**
 * Read and parse one YAML file. `file` is its name in messages, `readPath` where to read it,
 * `what` names it in errors ("scenario file", "profile file"). A file that cannot be read
 * or is not valid YAML is a ScenarioError (exit 2); `onReadError` may place a read failure
 * elsewhere (e.g. at the scenario line that names the file).
 */
export async function readYamlFile(
  file: string,
  what: string,
  readPath: string = file,
  onReadError?: (reason: string) => ScenarioError,
): Promise<YamlSource> {
  let text: string
  try {
    text = await readFile(readPath, 'utf8')
  } catch (error) {
    const reason = describeReadError(error)
    throw (
      onReadError?.(reason) ?? new ScenarioError({file}, `cannot read the ${what}: ${reason}`, {cause: error})
    )
  }
  return parseYamlText(file, text)
}

/** Parse YAML text as readYamlFile does; `file` names it in messages. */
export function parseYamlText(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter()
  const doc = parseDocument(protectTemplates(text), {lineCounter, prettyErrors: false, uniqueKeys: true})
  const problem = doc.errors[0]
  if (problem) {
    const {line, col} = lineCounter.linePos(problem.pos[0])
    const message = (problem.message.split('\n')[0] ?? problem.message).replace(
      / at line \d+, column \d+:?$/,
      '',
    )
    throw new ScenarioError({file, line, column: col}, `YAML syntax error: ${message}`, {cause: problem})
  }
  restoreTemplates(doc)
  const source = new YamlSource(file, doc, lineCounter, toPlainData(file, doc, lineCounter))
  const bad = findDataProblem(source.data)
  if (bad) throw source.error(bad.path, bad.message)
  return source
}

/** How often one anchor may be used, nested uses multiplied (the yaml package's measure). */
export const MAX_ALIAS_COUNT = 100

/**
 * The document as plain data. Aliases are expanded with the yaml package's limit, so a
 * "billion laughs" file (aliases of aliases of …) is refused instead of filling memory;
 * that, and an alias without its anchor, is a ScenarioError at the alias.
 */
function toPlainData(file: string, doc: Document.Parsed, lineCounter: LineCounter): unknown {
  try {
    return doc.toJS({maxAliasCount: MAX_ALIAS_COUNT})
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error
    const aliases: Alias[] = []
    visit(doc, {Alias: (_key, node) => void aliases.push(node)})
    const unresolved = aliases.find((a) => a.resolve(doc) === undefined)
    const nested = aliases.find((a) => {
      const target = a.resolve(doc)
      let inner = false
      if (target) visit(target, {Alias: () => ((inner = true), visit.BREAK)})
      return inner
    })
    const culprit = unresolved ?? nested ?? aliases[0]
    const {line, col} = lineCounter.linePos(culprit?.range?.[0] ?? 0)
    const message = unresolved
      ? `YAML alias *${unresolved.source} has no anchor &${unresolved.source} before it`
      : `YAML aliases expand too far (an anchor may be used at most ${MAX_ALIAS_COUNT} times, uses inside aliased values multiplied); write the values out instead of nesting aliases`
    throw new ScenarioError({file, line, column: col}, message, {cause: error})
  }
}

type DataProblem = {path: PathSegment[]; message: string}

/**
 * The first value plain data cannot hold: NaN or ±Infinity (YAML .nan, .inf), or a cycle
 * (an alias inside its own anchor, `&a [*a]`), with where it is.
 */
function findDataProblem(value: unknown, path: PathSegment[] = [], open = new Set<object>()): DataProblem | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : {path, message: `${describeValue(value)} is not a number faultline can use; write a finite number`}
  }
  if (value === null || typeof value !== 'object') return undefined
  if (open.has(value)) return {path, message: 'a YAML alias inside its own anchor makes an endless value; write the value out'}
  open.add(value)
  const entries: Array<[PathSegment, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value)
  for (const [key, item] of entries) {
    const found = findDataProblem(item, [...path, key], open)
    if (found) return found
  }
  open.delete(value)
  return undefined
}
