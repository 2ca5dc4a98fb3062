import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/errors.js'
import {
  findTemplateNames,
  hasUnclosedTemplate,
  isTemplateName,
  renderString,
  renderTemplate,
  TEMPLATE_NAMES,
} from '../../src/scenario/template.js'

const vars = {key: 'k1', requestId: 'r-7', attempt: 2, trial: 3, port: 4100, env: {TOKEN: 's3cret'}}

describe('renderTemplate', () => {
  it('renders every string inside objects and arrays', () => {
    const input = {
      path: '/counters/{{key}}/increment',
      headers: {'Idempotency-Key': '{{requestId}}', Authorization: 'Bearer {{env.TOKEN}}'},
      body: {
        by: 1,
        tags: ['trial-{{trial}}', 'attempt-{{ attempt }}'],
        nested: [{url: 'http://h:{{port}}'}],
        ok: true,
      },
    }
    expect(renderTemplate(input, vars)).toEqual({
      path: '/counters/k1/increment',
      headers: {'Idempotency-Key': 'r-7', Authorization: 'Bearer s3cret'},
      body: {by: 1, tags: ['trial-3', 'attempt-2'], nested: [{url: 'http://h:4100'}], ok: true},
    })
  })

  it('does not mutate its input', () => {
    const input = {a: ['{{key}}']}
    renderTemplate(input, vars)
    expect(input).toEqual({a: ['{{key}}']})
  })

  it('keeps a string that is exactly one template a string', () => {
    expect(renderTemplate({n: '{{attempt}}', p: '{{port}}'}, vars)).toEqual({n: '2', p: '4100'})
  })

  it('passes non-strings through and leaves keys alone', () => {
    expect(renderTemplate({'{{key}}': null, n: 5}, vars)).toEqual({'{{key}}': null, n: 5})
    expect(renderTemplate(7, vars)).toBe(7)
    expect(renderTemplate(undefined, vars)).toBeUndefined()
  })

  it('uses one uuid per render and a fresh one on the next render', () => {
    let n = 0
    const uuid = () => `u${++n}`
    expect(renderTemplate({a: '{{uuid}}', b: ['x-{{uuid}}']}, {...vars, uuid})).toEqual({
      a: 'u1',
      b: ['x-u1'],
    })
    expect(renderString('{{uuid}}', {...vars, uuid})).toBe('u2')
  })

  it('defaults uuid to random v4 UUIDs', () => {
    const a = renderString('{{uuid}}', {})
    const b = renderString('{{uuid}}', {})
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(a).not.toBe(b)
  })

  it('names a missing environment variable', () => {
    expect(() => renderString('{{env.NOPE}}', {env: {}})).toThrow(UsageError)
    expect(() => renderString('{{env.NOPE}}', {env: {}})).toThrow(
      'environment variable NOPE is not set (the scenario uses {{env.NOPE}})',
    )
  })

  it('fails loudly when the caller supplied no value', () => {
    expect(() => renderString('{{key}}', {})).toThrow('no value for {{key}}')
  })

  it('leaves text without well-formed templates untouched', () => {
    expect(renderString('{{key}/x {not} {{}}', vars)).toBe('{{key}/x {not} {{}}')
  })
})

describe('findTemplateNames', () => {
  it('lists names in order of first use without duplicates', () => {
    expect(findTemplateNames({p: '/{{key}}/{{ trial }}', h: ['{{key}}', '{{env.HOME}}'], n: 1})).toEqual([
      'key',
      'trial',
      'env.HOME',
    ])
  })

  it('reports unknown names as written', () => {
    expect(findTemplateNames('/{{keyy}}')).toEqual(['keyy'])
  })
})

describe('template names', () => {
  it('knows the documented names and env.NAME', () => {
    expect([...TEMPLATE_NAMES]).toEqual(['key', 'requestId', 'attempt', 'uuid', 'trial', 'port', 'runDir', 'proxyUrl', 'proxyHost', 'proxyPort', 'replicationUrl', 'replicaUrls', 'replicaUrl.NAME', 'env.NAME'])
    for (const name of ['key', 'requestId', 'attempt', 'uuid', 'trial', 'port', 'env.HOME', 'env._X1']) {
      expect(isTemplateName(name)).toBe(true)
    }
    for (const name of ['keyy', 'env.', 'env.1X', 'env', 'Key']) expect(isTemplateName(name)).toBe(false)
  })

  it('spots an unclosed template', () => {
    expect(hasUnclosedTemplate('/a/{{key}/b')).toBe(true)
    expect(hasUnclosedTemplate('/a/{{key}}/b')).toBe(false)
    expect(hasUnclosedTemplate('{"a": {"b": 1}}')).toBe(false)
  })
})

describe('text that only looks like a template', () => {
  it('treats braces without a name inside as text', () => {
    expect(findTemplateNames('{{}} {{ a b }}')).toEqual([])
    expect(hasUnclosedTemplate('{{}} {{ a b }}')).toBe(false)
    expect(renderString('{{}} {{ a b }} {{key}}', {key: 'k'})).toBe('{{}} {{ a b }} k')
  })

  it('{{runDir}} renders to the run directory it is given', () => {
    expect(renderTemplate('node s.mjs --data {{runDir}}/data', {runDir: '/tmp/faultline-ab12'})).toBe('node s.mjs --data /tmp/faultline-ab12/data')
  })
})
