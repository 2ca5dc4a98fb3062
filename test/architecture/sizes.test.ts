import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import {describe, expect, it} from 'vitest'

/**
 * The size rule of src/ (docs/architecture.md): no function longer than MAX_FUNCTION_LINES,
 * no file longer than MAX_FILE_LINES. A function is counted from its first line to its last,
 * nested functions included; every function, method, constructor, accessor and arrow function
 * is measured on its own.
 */
const MAX_FUNCTION_LINES = 80
const MAX_FILE_LINES = 350

interface MeasuredFunction {
  file: string
  line: number
  name: string
  lines: number
}

function isMeasuredFunction(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  )
}

/** The name a reader would search for: the declared name, or the variable/property an anonymous function is assigned to. */
function functionName(node: ts.FunctionLikeDeclaration): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor'
  if (node.name) return node.name.getText()
  const parent = node.parent
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) return parent.name.getText()
  return '(anonymous)'
}

function lineOf(source: ts.SourceFile, position: number): number {
  return source.getLineAndCharacterOfPosition(position).line + 1
}

/** Every function-like node of one file with its line span. */
function measureFunctions(file: string, text: string): MeasuredFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const measured: MeasuredFunction[] = []
  const visit = (node: ts.Node): void => {
    if (isMeasuredFunction(node) && node.body) {
      const first = lineOf(source, node.getStart(source))
      const last = lineOf(source, node.getEnd())
      measured.push({file, line: first, name: functionName(node), lines: last - first + 1})
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return measured
}

function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length
}

interface SourceFile {
  file: string
  text: string
}

function sourceFiles(root: string, dir: string): SourceFile[] {
  return readdirSync(path.join(root, dir), {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => {
      const full = path.join(entry.parentPath, entry.name)
      return {file: path.relative(root, full).split(path.sep).join('/'), text: readFileSync(full, 'utf8')}
    })
    .sort((a, b) => a.file.localeCompare(b.file))
}

function fileViolations({file, text}: SourceFile): string[] {
  const lines = lineCount(text)
  return lines > MAX_FILE_LINES ? [`${file}: ${lines} lines (file limit ${MAX_FILE_LINES})`] : []
}

function functionViolations({file, text}: SourceFile): string[] {
  return measureFunctions(file, text)
    .filter((fn) => fn.lines > MAX_FUNCTION_LINES)
    .map((fn) => `${fn.file}:${fn.line} ${fn.name}: ${fn.lines} lines (function limit ${MAX_FUNCTION_LINES})`)
}

function sizeViolations(files: SourceFile[]): string[] {
  return files.flatMap((source) => [...fileViolations(source), ...functionViolations(source)])
}

/** A source text with one function `lines` long, braces included. */
function functionOfLines(name: string, lines: number): string {
  return [`export function ${name}(): number {`, '  let n = 0', ...Array.from({length: lines - 4}, () => '  n++'), '  return n', '}', ''].join('\n')
}

describe('sizes in src/', () => {
  const root = path.resolve(import.meta.dirname, '../..')

  it(`has no function over ${MAX_FUNCTION_LINES} lines and no file over ${MAX_FILE_LINES} lines`, () => {
    const files = sourceFiles(root, 'src')
    expect(files.length).toBeGreaterThan(100)
    expect(sizeViolations(files)).toEqual([])
  })

  it('names each function over the limit, of every kind, with its file, line and length', () => {
    const filler = Array.from({length: MAX_FUNCTION_LINES}, () => '    n++').join('\n')
    const text = [
      functionOfLines('atTheLimit', MAX_FUNCTION_LINES),
      functionOfLines('overTheLimit', MAX_FUNCTION_LINES + 1),
      'export class Holder {',
      '  constructor() {',
      '    let n = 0',
      filler,
      '  }',
      '  method(): void {',
      '    let n = 0',
      filler,
      '  }',
      '  get value(): number {',
      '    let n = 0',
      filler,
      '    return n',
      '  }',
      '}',
      'export const arrow = (): void => {',
      '  let n = 0',
      filler,
      '}',
      'export const expression = function (): void {',
      '  let n = 0',
      filler,
      '}',
      '',
    ].join('\n')
    const violations = functionViolations({file: 'src/example.ts', text})
    expect(violations).toEqual([
      `src/example.ts:${MAX_FUNCTION_LINES + 2} overTheLimit: ${MAX_FUNCTION_LINES + 1} lines (function limit 80)`,
      expect.stringMatching(/^src\/example\.ts:\d+ constructor: 83 lines/),
      expect.stringMatching(/^src\/example\.ts:\d+ method: 83 lines/),
      expect.stringMatching(/^src\/example\.ts:\d+ value: 84 lines/),
      expect.stringMatching(/^src\/example\.ts:\d+ arrow: 83 lines/),
      expect.stringMatching(/^src\/example\.ts:\d+ expression: 83 lines/),
    ])
  })

  it(`names a file over ${MAX_FILE_LINES} lines and accepts one at the limit`, () => {
    const statements = (count: number) => Array.from({length: count}, (_, i) => `export const v${i} = ${i}`).join('\n') + '\n'
    expect(sizeViolations([{file: 'src/at-limit.ts', text: statements(MAX_FILE_LINES)}])).toEqual([])
    expect(sizeViolations([{file: 'src/too-long.ts', text: statements(MAX_FILE_LINES + 1)}])).toEqual([
      `src/too-long.ts: ${MAX_FILE_LINES + 1} lines (file limit ${MAX_FILE_LINES})`,
    ])
  })
})
