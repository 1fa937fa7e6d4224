import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import SwaggerParser from '@apidevtools/swagger-parser'
import { buildTestApp } from '../helper.js'
import { emitOpenApi } from '../../src/emit-openapi.js'
import { projectFile } from '../../src/lib/paths.js'
import { tools } from '../../src/tools/registry.js'
import { operationInput } from '../contract/openapi-input.js'

type Doc = { paths: Record<string, Record<string, Record<string, any>>>, servers?: unknown, components: any }

async function spec (t: Parameters<typeof buildTestApp>[0]): Promise<Doc> {
  const app = await buildTestApp(t)
  return (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
}

function operations (doc: Doc): Array<{ path: string, method: string, op: Record<string, any> }> {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })))
}

// The public document is the operator's view: tools only admins may use are left out.
// Fleet tools are published only on a server with several clusters; this one has one.
const published = tools.filter((tool) => (tool.roles === undefined || tool.roles.includes('operator')) && tool.fleetOnly !== true)

test('every tool is POST /<name> with operationId, summary, description, annotations and the bearer requirement', async (t) => {
  const doc = await spec(t)
  for (const tool of published) {
    const op = doc.paths[`/${tool.name}`]?.post
    assert.ok(op, `POST /${tool.name} is documented`)
    assert.equal(op.operationId, tool.name)
    assert.ok(op.summary.length > 0)
    assert.ok(op.description.length > 40, `${tool.name} has a description written for an LLM`)
    assert.deepEqual(op.security, [{ bearerAuth: [] }])
    assert.deepEqual(op['x-tool-annotations'], tool.annotations)
  }
  assert.deepEqual(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer', description: doc.components.securitySchemes.bearerAuth.description })
})

test('only tool routes carry an operationId', async (t) => {
  const doc = await spec(t)
  const withId = operations(doc).filter((o) => o.op.operationId !== undefined).map((o) => `${o.method} ${o.path}`).sort()
  assert.deepEqual(withId, published.map((tool) => `post /${tool.name}`).sort())
  // Bridges turn every documented route into a tool: /health, /openapi.json, /docs and approvals are served, not listed.
  assert.deepEqual(Object.keys(doc.paths).sort(), published.map((tool) => `/${tool.name}`).sort())
})

test('tool inputs (request bodies, or query parameters) are inline (no $ref) and every field is described', async (t) => {
  const doc = await spec(t)
  for (const tool of published) {
    const schema = operationInput(doc.paths[`/${tool.name}`]?.post ?? {}) as Record<string, any>
    assert.doesNotMatch(JSON.stringify(schema), /\$ref|def-\d/, tool.name)
    for (const [field, prop] of Object.entries<Record<string, unknown>>(schema.properties ?? {})) {
      assert.equal(typeof prop.description, 'string', `${tool.name}.${field} has a description`)
    }
  }
})

test('every answer, errors included, is application/json, and there is no absolute server', async (t) => {
  const doc = await spec(t)
  assert.equal(doc.servers, undefined)
  for (const { op } of operations(doc)) {
    for (const [status, response] of Object.entries<any>(op.responses)) {
      assert.deepEqual(Object.keys(response.content ?? { 'application/json': {} }), ['application/json'], status)
    }
  }
})

test('the emitted document passes the OpenAPI validator', async (t) => {
  const doc = await spec(t)
  await SwaggerParser.validate(structuredClone(doc) as never)
})

test('openapi/openapi.json is current (run `npm run openapi` when this fails)', async () => {
  const committed = await readFile(projectFile('openapi', 'openapi.json'), 'utf8')
  assert.equal(committed, await emitOpenApi(), 'openapi/openapi.json is stale: run `npm run openapi` and commit the result')
})
