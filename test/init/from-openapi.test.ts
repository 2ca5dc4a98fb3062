import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCheck} from '../../src/check/run-check.js'
import {ScenarioError} from '../../src/errors.js'
import {draftFromOpenApi} from '../../src/init/from-openapi.js'
import type {RequestTemplate} from '../../src/scenario/types.js'
import {startFixtureProcess} from '../helpers/fixture-process.js'
import {writeAndLoad} from '../helpers/init-scenario.js'
import {testDir} from '../helpers/temp-dir.js'

async function failure(file: string): Promise<string> {
  try {
    await draftFromOpenApi(file)
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError)
    return (error as Error).message
  }
  throw new Error('no error')
}

describe('init --from an OpenAPI document', () => {
  it('describes the demo server well enough that check finds its known verdicts', async () => {
    const dir = testDir('fl-openapi-')
    const server = await startFixtureProcess('fixtures/servers/demo.mjs', ['--data', join(dir, 'data')])
    const {scenario, text} = await writeAndLoad(dir, await draftFromOpenApi('fixtures/openapi/demo.yaml', {upstream: server.url}))
    expect(scenario.endpoints.map((e) => [e.name, (e.request as RequestTemplate).path, e.effect?.select, e.expect])).toEqual([
      ['naiveIncrement', '/naive/counters/{{key}}/increment', '$.value', ['at-most-once']],
      ['dedupIncrement', '/dedup/counters/{{key}}/increment', '$.value', ['at-most-once']],
      ['putValue', '/put/kv/{{key}}', '$.value', ['idempotent']],
    ])
    expect(scenario.endpoints[0]?.request).toMatchObject({headers: {'Idempotency-Key': '{{requestId}}'}, body: {by: 1}})
    expect(scenario.endpoints[2]?.request).toMatchObject({body: {value: 'v-1'}})
    expect(text).toMatch(/expect: idempotent # guessed from PUT .*confirm/)

    for (const endpoint of scenario.endpoints) endpoint.trials = 2
    scenario.client.timeout = 1000
    const result = await runCheck({scenario, scenarioArg: 'scenario.yaml', seed: 4})
    const [naive, dedup, put] = result.endpoints
    expect(naive?.contracts).toMatchObject({atLeastOnce: 'holds', atMostOnce: 'broken'})
    expect(dedup?.contracts).toMatchObject({exactlyOnce: 'holds'})
    expect(put?.contracts).toMatchObject({idempotent: 'holds'})
  }, 120_000)

  it('resolves $refs, takes the first oneOf branch and examples, and keeps only the spec server\'s path', async () => {
    const {scenario, text} = await writeAndLoad(testDir('fl-openapi-'), await draftFromOpenApi('fixtures/openapi/orders.yaml'))
    expect(scenario.target.url).toBe('http://127.0.0.1:8080')
    const byName = Object.fromEntries(scenario.endpoints.map((e) => [e.name, e]))
    expect(Object.keys(byName)).toEqual(['createOrder', 'updateOrder', 'cancelOrder', 'payOrder'])
    expect(byName.createOrder?.request).toMatchObject({
      method: 'POST',
      path: '/v2/orders',
      headers: {'Idempotency-Key': '{{requestId}}'},
      body: {customer: 'cus_8f3a21', payment: {type: 'card', token: 'tok_visa'}},
    })
    expect(byName.createOrder?.effect).toMatchObject({request: {method: 'GET', path: '/v2/orders'}, select: '$.items.length'})
    // oneOf through $refs: the first branch (CardPayment), its own $ref (Money) resolved too.
    expect(byName.payOrder?.request).toMatchObject({path: '/v2/orders/{{key}}/payments', body: {type: 'card', token: 'tok_visa', total: {amount: 1250, currency: 'EUR'}}})
    expect(byName.payOrder?.effect).toMatchObject({request: {path: '/v2/orders/{{key}}'}, select: '$.paymentCount'})
    expect(byName.cancelOrder?.expect).toEqual(['idempotent'])
    expect(byName.updateOrder?.expect).toEqual([])
    expect(text).toContain('oneOf, the first of 2 taken')
    expect(text).toContain("the spec's server https://api.example.com is never contacted")
  })

  it('reads JSON documents and builds bodies from schemas, a free-text field as {{key}}', async () => {
    const dir = testDir('fl-openapi-')
    const file = join(dir, 'notes.json')
    writeFileSync(file, JSON.stringify({
      openapi: '3.0.3',
      info: {title: 'notes', version: '1'},
      paths: {
        '/notes': {
          post: {requestBody: {content: {'application/json': {schema: {$ref: '#/components/schemas/Note'}}}}, responses: {'201': {description: 'made'}}},
          get: {responses: {'200': {description: 'all', content: {'application/json': {schema: {type: 'array', items: {$ref: '#/components/schemas/Note'}}}}}}},
        },
      },
      components: {schemas: {Note: {type: 'object', properties: {text: {type: 'string'}, id: {type: 'string', format: 'uuid'}, pinned: {type: 'boolean'}, stars: {type: 'integer'}}}}},
    }))
    const {scenario} = await writeAndLoad(dir, await draftFromOpenApi(file))
    expect(scenario.endpoints[0]?.request).toMatchObject({body: {text: '{{key}}', id: '{{uuid}}', pinned: false, stars: 1}})
    expect(scenario.endpoints[0]?.effect).toMatchObject({select: '$.length'})
  })

  it('refuses other versions and broken $refs in one line naming file:line:column', async () => {
    const dir = testDir('fl-openapi-')
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text)
      return join(dir, name)
    }
    expect(await failure(write('v4.yaml', 'openapi: 4.0.0\ninfo: {title: x, version: "1"}\npaths: {}\n'))).toBe(
      `${join(dir, 'v4.yaml')}:1:10: openapi: version 4.0.0 is not supported; faultline reads OpenAPI 3.0 and 3.1 (write openapi: 3.1.0 or 3.0.3; convert Swagger 2.0 documents first)`,
    )
    expect(await failure(write('v2.yaml', 'swagger: "2.0"\ninfo: {title: x, version: "1"}\npaths: {}\n'))).toMatch(/v2\.yaml:1:10: openapi: version swagger 2\.0 is not supported/)
    const ref = await failure(write('ref.yaml', 'openapi: 3.1.0\ninfo: {title: x, version: "1"}\npaths:\n  /a:\n    post:\n      requestBody: {$ref: "#/components/requestBodies/nope"}\n'))
    expect(ref).toMatch(/ref\.yaml:6:28: cannot read the OpenAPI document: Missing \$ref pointer "#\/components\/requestBodies\/nope"/)
    expect(ref).not.toContain('\n')
    // Never fetched: a URL $ref is refused as unresolvable, not tried (port 9 would refuse the connection).
    const remote = await failure(write('remote.yaml', 'openapi: 3.1.0\ninfo: {title: x, version: "1"}\npaths:\n  /a:\n    post:\n      requestBody: {$ref: "http://127.0.0.1:9/x.yaml#/b"}\n'))
    expect(remote).toMatch(/remote\.yaml:6:28: cannot read the OpenAPI document: Unable to resolve \$ref pointer "http:\/\/127\.0\.0\.1:9\/x\.yaml"; faultline follows \$refs to files, never to URLs/)
  })
})
