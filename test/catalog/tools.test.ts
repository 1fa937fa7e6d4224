import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import { isAppError } from '../../src/errors/app-error.js'
import describeEndpointTool from '../../src/tools/describe-endpoint.js'
import queryApiTool from '../../src/tools/query-api.js'
import type { ToolDefinition } from '../../src/gate/tool.js'
import { toolContext } from '../helper.js'

const context = toolContext

// Fastify serialises answers with the output schema and drops what it does not list: round-trip through it.
async function throughFastify (tool: ToolDefinition, value: unknown): Promise<unknown> {
  const app = Fastify()
  app.post('/', { schema: { response: { 200: tool.output } } }, async () => value)
  try {
    const res = await app.inject({ method: 'POST', url: '/' })
    assert.equal(res.statusCode, 200)
    return res.json()
  } finally {
    await app.close()
  }
}

function everySchemaPropertyDescribed (schema: unknown, where: string): void {
  const s = schema as { properties?: Record<string, { description?: string }> }
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    assert.ok(typeof prop.description === 'string' && prop.description.length > 5, `${where}.${name} has a description`)
  }
  assert.equal(JSON.stringify(schema).includes('$ref'), false, `${where} has no $ref`)
}

test('query_api and describe_endpoint are read-only catalogue tools with described inputs', () => {
  for (const tool of [queryApiTool, describeEndpointTool] as ToolDefinition[]) {
    assert.equal(tool.annotations.readOnlyHint, true)
    assert.equal(tool.requiresCluster, false)
    assert.ok(tool.description.length > 200)
    everySchemaPropertyDescribed(tool.input, tool.name)
  }
  assert.equal(queryApiTool.name, 'query_api')
  assert.equal(describeEndpointTool.name, 'describe_endpoint')
  assert.equal((queryApiTool.input.properties.query as { maxLength: number }).maxLength, 1000)
})

test('query_api answers survive serialisation with every field intact', async () => {
  const ctx = await context()
  const answer = await queryApiTool.handler({ query: 'how do I power on a VM', limit: 3 }, ctx)
  assert.equal(answer.results[0]?.path, '/VirDomain/action')
  assert.deepEqual(await throughFastify(queryApiTool as unknown as ToolDefinition, answer), answer)
  const none = await queryApiTool.handler({ query: 'zzqx wubble' }, ctx)
  assert.deepEqual(await throughFastify(queryApiTool as unknown as ToolDefinition, none), none)
  assert.equal(typeof none.hint, 'string')
})

test('describe_endpoint answers survive serialisation with schema, fields and example intact', async () => {
  const ctx = await context()
  for (const [method, path] of [['POST', '/VirDomain'], ['POST', '/VirDomain/action'], ['PUT', '/ISO/{uuid}/data'], ['GET', '/VirDomain']] as const) {
    const answer = await describeEndpointTool.handler({ method, path }, ctx)
    assert.deepEqual(await throughFastify(describeEndpointTool as unknown as ToolDefinition, answer), JSON.parse(JSON.stringify(answer)), `${method} ${path}`)
  }
})

test('describe_endpoint passes ENDPOINT_NOT_FOUND through for an unknown endpoint', async () => {
  const ctx = await context()
  await assert.rejects(describeEndpointTool.handler({ method: 'GET', path: '/Nope' }, ctx), (err: unknown) => isAppError(err) && err.code === 'ENDPOINT_NOT_FOUND')
})
