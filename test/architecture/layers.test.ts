import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import {describe, expect, it} from 'vitest'

/**
 * The one-way import flow of src/ (docs/architecture.md). Each rule names the importing
 * files, the files they must not import, and why; a new import that breaks one fails here.
 */
interface LayerRule {
  from: RegExp
  to: RegExp
  why: string
}

const PROTOCOL_FOLDER = /^src\/proxy\/(http|jsonrpc|tcp|grpc)\//

const LAYER_RULES: LayerRule[] = [
  {from: /^src\/proxy\//, to: /^src\/(scenario|check)\//, why: 'the proxy is a library the scenario and the check drive, never the reverse'},
  {from: /^src\/scenario\//, to: /^src\/proxy\//, why: 'a scenario is parsed without the proxy; share code through src/grpc, src/jsonpath.ts'},
  {from: /^src\/proxy\/([^/]+\.ts|l4\/|faults\/)/, to: PROTOCOL_FOLDER, why: 'generic proxy modules serve every protocol; protocol folders build on them'},
  {from: /^src\/proxy\/http\//, to: /^src\/proxy\/jsonrpc\//, why: 'JSON-RPC is composed over HTTP (an interceptor), HTTP never calls into it'},
  {from: /^src\/(scenario|check|proxy|supervisor)\//, to: /^src\/init\//, why: 'init drafts scenarios on top of the scenario loader; a loaded scenario never needs it'},
  {from: /^src\/(events|grpc)\/|^src\/(jsonpath|timer-limit|fault-spec)\.ts$/, to: /^src\/(proxy|scenario|check|control|supervisor|report|commands|init)\//, why: 'shared modules sit below every folder that uses them'},
]

interface ImportEdge {
  from: string
  to: string
}

/** Every relative import (static, re-export, dynamic) of each .ts file under `dir`, as repo-relative paths. */
function importEdges(root: string, dir: string): ImportEdge[] {
  const edges: ImportEdge[] = []
  for (const entry of readdirSync(path.join(root, dir), {recursive: true, withFileTypes: true})) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue
    const file = path.join(entry.parentPath, entry.name)
    const from = path.relative(root, file).split(path.sep).join('/')
    for (const imported of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!imported.fileName.startsWith('.')) continue
      const target = path.relative(root, path.resolve(path.dirname(file), imported.fileName)).split(path.sep).join('/')
      edges.push({from, to: target.replace(/\.js$/, '.ts')})
    }
  }
  return edges
}

function layerViolations(edges: ImportEdge[], rules: LayerRule[] = LAYER_RULES): string[] {
  return edges.flatMap((edge) =>
    rules.filter((rule) => rule.from.test(edge.from) && rule.to.test(edge.to)).map((rule) => `${edge.from} imports ${edge.to}: ${rule.why}`),
  )
}

describe('layering of src/', () => {
  const root = path.resolve(import.meta.dirname, '../..')

  it('has no import against the one-way flow', () => {
    const edges = importEdges(root, 'src')
    expect(edges.length).toBeGreaterThan(100)
    expect(layerViolations(edges)).toEqual([])
  })

  it('reports each kind of wrong-way import', () => {
    const wrong: ImportEdge[] = [
      {from: 'src/proxy/fault.ts', to: 'src/scenario/types.ts'},
      {from: 'src/proxy/tcp/framing.ts', to: 'src/check/plan.ts'},
      {from: 'src/scenario/profiles.ts', to: 'src/proxy/grpc/exchange.ts'},
      {from: 'src/proxy/rule-set.ts', to: 'src/proxy/http/headers.ts'},
      {from: 'src/proxy/l4/link.ts', to: 'src/proxy/tcp/framing.ts'},
      {from: 'src/proxy/faults/crash.ts', to: 'src/proxy/grpc/exchange.ts'},
      {from: 'src/proxy/http/exchange.ts', to: 'src/proxy/jsonrpc/message.ts'},
      {from: 'src/events/event-log.ts', to: 'src/proxy/fault.ts'},
    ]
    expect(layerViolations(wrong)).toHaveLength(wrong.length)
    const allowed: ImportEdge[] = [
      {from: 'src/proxy/jsonrpc/jsonrpc-exchange.ts', to: 'src/proxy/http/exchange.ts'},
      {from: 'src/proxy/fault.ts', to: 'src/grpc/status.ts'},
      {from: 'src/check/plan.ts', to: 'src/proxy/fault.ts'},
      {from: 'src/proxy/tcp/framing.ts', to: 'src/proxy/rule-set.ts'},
      {from: 'src/proxy/tcp/frame-exchange.ts', to: 'src/proxy/faults/fault-exchange.ts'},
    ]
    expect(layerViolations(allowed)).toEqual([])
  })
})
