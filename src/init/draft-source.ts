import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {ScenarioError} from '../errors.js'
import type {DraftScenario} from './draft.js'
import {draftFromExchanges} from './from-har.js'
import {draftFromOpenApi} from './from-openapi.js'
import {draftFromProto} from './from-proto.js'
import {parseHar} from './har.js'

export interface DraftOptions {
  /** Base URL of the server to test (`--upstream`), instead of the source's own. */
  upstream?: string
  /** Folder the scenario is written to: paths in it (a .proto) are relative to it. */
  outDir?: string
}

/**
 * A scenario drafted from FILE: a HAR recording, an OpenAPI 3.x document (YAML or JSON) or a
 * .proto file, told apart by extension and content. Anything else is a ScenarioError (exit 2).
 */
export async function draftScenario(file: string, options: DraftOptions = {}): Promise<DraftScenario> {
  if (file.endsWith('.proto')) return draftFromProto(file, options)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory, not a file' : (error as Error).message
    throw new ScenarioError({file}, `cannot read --from: ${reason}; give a HAR recording, an OpenAPI document or a .proto file`, {cause: error})
  }
  if (file.endsWith('.har') || /^\s*\{\s*"log"\s*:/.test(text)) return draftFromExchanges(path.basename(file), parseHar(file, text), options)
  if (/^\s*["']?(openapi|swagger)["']?\s*:/m.test(text)) return draftFromOpenApi(file, options)
  throw new ScenarioError(
    {file, line: 1, column: 1},
    'not a HAR recording (log.entries), an OpenAPI document (openapi: 3.x) or a .proto file; give one of those to --from',
  )
}
