import {createRequire} from 'node:module'
import {Ajv, type ValidateFunction} from 'ajv'

const require = createRequire(import.meta.url)

/**
 * A validator for HAR 1.2 documents built from the `har-schema` package (JSON Schema draft-06,
 * one schema per HAR object). Its schemas use a `min` keyword JSON Schema does not have, so
 * strict mode is off; formats are checked by the schemas' own patterns.
 */
export function harValidator(): ValidateFunction {
  const ajv = new Ajv({strict: false, validateFormats: false, allErrors: true})
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object)
  const schemas = require('har-schema') as Record<string, object>
  for (const schema of Object.values(schemas)) ajv.addSchema(schema)
  return ajv.getSchema('har.json#') as ValidateFunction
}

/** The validation errors as one readable string (empty when valid). */
export function harErrors(validate: ValidateFunction, doc: unknown): string {
  return validate(doc) ? '' : JSON.stringify(validate.errors, null, 1)
}
