import {readFile} from 'node:fs/promises'
import {RESULT_VERSION, type CheckJson} from '../check/json-result.js'
import {ScenarioError} from '../errors.js'
import {readYamlFile} from '../scenario/source.js'
import {schemaValidator, validateSource} from '../scenario/validate.js'

const WRITE_ONE = 'faultline check SCENARIO --json > FILE writes one'

/**
 * Read a saved `--json` result (of `check`, one shard of it, or `merge`) and check it against
 * schema/result.schema.json. A file that is missing, not JSON, of another format version or
 * of the wrong shape is a one-line error (exit 2) at file:line:column naming the field.
 * The file is parsed as JSON; only when it is wrong is it parsed again to place the problem.
 */
export async function readResultFile(file: string): Promise<CheckJson> {
  const validate = await schemaValidator('result.schema.json')
  let data: unknown
  let syntax: Error | undefined
  try {
    data = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    syntax = error as Error
  }
  if (syntax === undefined && hasVersion(data) && validate(data)) return data as CheckJson
  // Something is wrong: read it again keeping positions (JSON is YAML), to say where.
  const source = await readYamlFile(file, 'result file').catch((error: unknown) => {
    // A place the YAML parser found, with what JSON.parse said about it.
    if (syntax === undefined || !(error instanceof ScenarioError) || !/YAML syntax error/.test(error.message)) throw error
    throw new ScenarioError(error.position, `not valid JSON (${syntax.message}); was the file cut short? ${WRITE_ONE}`, {cause: syntax})
  })
  if (syntax !== undefined) {
    if (source.data === null || source.data === undefined) throw new ScenarioError({file, line: 1, column: 1}, `the result file is empty; ${WRITE_ONE}`)
    throw new ScenarioError({file}, `not a JSON document (${syntax.message}); ${WRITE_ONE}`, {cause: syntax})
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw source.error([], `not a faultline result; ${WRITE_ONE}`)
  const version = (data as {version?: unknown}).version
  if (version === undefined) throw source.error([], `no version field: not a faultline result; ${WRITE_ONE}`)
  if (version !== RESULT_VERSION) {
    throw source.error(['version'], `result format ${JSON.stringify(version)} is not one this faultline reads (${RESULT_VERSION}); read it with the faultline that wrote it`)
  }
  validateSource(source, validate)
  // The schema accepted what JSON.parse gave: unreachable unless the two parsers disagree.
  throw source.error([], `not a faultline result; ${WRITE_ONE}`)
}

function hasVersion(data: unknown): boolean {
  return data !== null && typeof data === 'object' && (data as {version?: unknown}).version === RESULT_VERSION
}
