import {jsonPathProblem} from '../jsonpath.js'
import {DurationError, parseDuration} from './duration.js'
import type {PathSegment, YamlSource} from './source.js'
import {findTemplateNames, hasUnclosedTemplate, isTemplateName, TEMPLATE_NAMES} from './template.js'
import {didYouMean} from './validate.js'

/** Semantic checks over schema-valid data, each reported at its file position. */
export class Checker {
  constructor(
    readonly source: YamlSource,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  fail(at: PathSegment[], message: string, options?: {key?: boolean}): never {
    throw this.source.error(at, message, options)
  }

  duration(at: PathSegment[], value: number | string | undefined, fallback: number): number {
    if (value === undefined) return fallback
    try {
      return parseDuration(value)
    } catch (error) {
      if (error instanceof DurationError) this.fail(at, error.message)
      throw error
    }
  }

  /** Every string inside `value` uses only known templates allowed here, and set env vars. */
  templates(at: PathSegment[], value: unknown, allowed: readonly string[], where: string): void {
    if (typeof value === 'string') {
      for (const name of findTemplateNames(value)) {
        const list = [...allowed, 'env.NAME'].map((n) => `{{${n}}}`).join(', ')
        if (!isTemplateName(name)) {
          const guess = didYouMean(name, [...TEMPLATE_NAMES.filter((n) => n !== 'env.NAME'), ...allowed])
          const hint = guess && allowed.includes(guess) ? ` (did you mean {{${guess}}}?)` : ''
          this.fail(at, `unknown template {{${name}}}${hint}; allowed here: ${list}`)
        }
        if (name.startsWith('env.')) {
          const envName = name.slice(4)
          if (this.env[envName] === undefined) {
            this.fail(at, `environment variable ${envName} is not set (used by {{${name}}})`)
          }
        } else if (!allowed.includes(name)) {
          this.fail(at, `{{${name}}} is not available in ${where}; allowed here: ${list}`)
        }
      }
      if (hasUnclosedTemplate(value))
        this.fail(at, `unclosed "{{"; templates are written {{name}} (got ${JSON.stringify(value)})`)
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => this.templates([...at, i], item, allowed, where))
    } else if (value !== null && typeof value === 'object') {
      for (const [k, item] of Object.entries(value)) this.templates([...at, k], item, allowed, where)
    }
  }

  jsonPath(at: PathSegment[], value: string): string {
    const problem = jsonPathProblem(value)
    if (problem) this.fail(at, `not a valid JSONPath: ${problem} (got ${JSON.stringify(value)})`)
    return value
  }
}
