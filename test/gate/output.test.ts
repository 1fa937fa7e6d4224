import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Type } from '@sinclair/typebox'
import { shapeOutput } from '../../src/gate/output.js'
import { defineTool } from '../../src/gate/tool.js'
import { auth, buildTestApp, testConfig } from '../helper.js'
import { v2Client, valueOf } from '../mcp/mcp-helper.js'

const Row = Type.Object({ name: Type.String(), cpus: Type.Integer() })
const Answer = Type.Object({ rows: Type.Array(Row), data: Type.Unknown(), note: Type.Optional(Type.String()) })

test('an answer is shaped to its schema: undeclared keys go at every level, unknown data stays whole, nothing shared is changed', () => {
  const shared = { name: 'vm1', cpus: 2, secretish: 'x' }
  const data = { anything: { goes: [1, 2] } }
  const value = { rows: [shared, { name: 'vm2', cpus: 4 }], data, extra: true }
  const { value: shaped, problem } = shapeOutput(Answer, value)
  assert.equal(problem, undefined)
  assert.deepEqual(shaped, { rows: [{ name: 'vm1', cpus: 2 }, { name: 'vm2', cpus: 4 }], data })
  assert.deepEqual(shared, { name: 'vm1', cpus: 2, secretish: 'x' }, 'the input is not mutated')
  assert.equal((shaped as { data: unknown }).data, data, 'unknown data is passed through as is')
  // Nothing to drop: the very same object comes back.
  const clean = { rows: [{ name: 'a', cpus: 1 }], data: null }
  assert.equal(shapeOutput(Answer, clean).value, clean)
  assert.match(shapeOutput(Answer, { rows: [{ name: 'a', cpus: 'two' }], data: 1 }).problem ?? '', /\/rows\/0\/cpus must be integer/)
})

test('HTTP and MCP send the same answer, and an answer outside its schema is refused in tests', async (t) => {
  const tools = [
    defineTool({
      name: 'shaped_tool',
      summary: 'A test tool',
      description: 'Answers one declared and one undeclared field.',
      tags: ['Test'],
      input: Type.Object({ broken: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      output: Type.Object({ kept: Type.String() }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      requiresCluster: false,
      async handler (input) {
        return (input.broken === true ? { kept: 42 } : { kept: 'yes', internal: 'not for callers' }) as unknown as { kept: string }
      }
    })
  ]
  const app = await buildTestApp(t, testConfig(), { tools })
  const http = await app.inject({ method: 'POST', url: '/shaped_tool', headers: auth, payload: {} })
  assert.deepEqual(http.json(), { kept: 'yes' })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const client = await v2Client(t, new URL(`http://127.0.0.1:${port}/mcp`), { token: auth.authorization.slice('Bearer '.length) })
  assert.deepEqual(valueOf(await client.callTool('shaped_tool', {})), { kept: 'yes' })
  const broken = await app.inject({ method: 'POST', url: '/shaped_tool', headers: auth, payload: { broken: true } })
  assert.equal(broken.statusCode, 500)
  assert.equal(broken.json().code, 'INTERNAL_ERROR')
})
