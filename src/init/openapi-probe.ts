import type {DraftEffect} from './draft.js'
import type {Schema} from './schema-example.js'

/** The parts of an OpenAPI operation init reads (after $refs are resolved). */
export interface Operation {
  operationId?: string
  parameters?: unknown[]
  requestBody?: {content?: Record<string, {example?: unknown; examples?: Record<string, {value?: unknown}>; schema?: unknown}>}
  responses?: Record<string, {content?: Record<string, {schema?: unknown}>}>
}

export type OperationMap = Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', Operation>> & {parameters?: unknown[]}

/** Counters first: each execution adds to them. */
const COUNT_NAME = /^(value|count|total|version|quantity|balance|[a-z]*Count|n)$/i

function okSchema(op: Operation): Schema | undefined {
  const ok = Object.entries(op.responses ?? {}).find(([code]) => /^2/.test(code))?.[1]
  const media = ok?.content?.['application/json'] ?? Object.values(ok?.content ?? {})[0]
  return media?.schema as Schema | undefined
}

/**
 * The matching GET: of the same path (PUT, PATCH, DELETE), of the path without its last
 * segment (`POST /counters/{key}/increment` reads `GET /counters/{key}`), else of the
 * collection the write adds to (`POST /orders` reads `GET /orders`, counted by length).
 */
export function openApiProbe(
  route: string,
  method: string,
  paths: Record<string, OperationMap>,
  basePath: string,
  fill: (param: string) => string,
  body: unknown,
): {effect: DraftEffect; note: string} | undefined {
  const parent = route.replace(/\/[^/]+$/, '') || '/'
  const candidates = method === 'post' ? [parent, route] : [route, parent]
  const read = candidates.find((p) => paths[p]?.get)
  if (read === undefined) return undefined
  const schema = okSchema(paths[read]?.get as Operation)
  const request = {method: 'GET', path: basePath + read.replace(/\{([^}]+)\}/g, (_m, n: string) => fill(n))}
  const select = selectFor(schema, method, body)
  return {effect: {request, select: select.select}, note: `Effect probe: GET ${read}; ${select.why} (guessed from the response schema).`}
}

function selectFor(schema: Schema | undefined, method: string, body: unknown): {select: string; why: string} {
  const props = schema?.properties ?? {}
  const list = Object.entries(props).find(([, s]) => s.type === 'array' || s.items !== undefined)
  if (schema?.type === 'array') return {select: '$.length', why: 'count: the number of items the collection holds'}
  const counter = Object.entries(props).find(([k, s]) => (s.type === 'integer' || s.type === 'number') && COUNT_NAME.test(k))
  if (counter && method === 'post') return {select: `$.${counter[0]}`, why: `count: ${counter[0]} is a number each execution should change`}
  if (list && method === 'post') return {select: `$.${list[0]}.length`, why: `count: the number of ${list[0]}`}
  const echoed = body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).filter((k) => k in props) : []
  if (echoed.length === 1) return {select: `$.${echoed[0]}`, why: `state: ${echoed[0]} holds what the write sends`}
  return {select: '$', why: 'state: the whole resource; list volatile fields (timestamps) under effect.volatile'}
}
