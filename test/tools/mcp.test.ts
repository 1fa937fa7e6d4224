import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mcpSetup, TOKEN, v1HttpClient, v2Client } from '../mcp/mcp-helper.js'

// Both SDK clients check a tool's structuredContent against the outputSchema it listed, so these calls also hold
// each answer to its published schema.
const CALLS: Array<[string, Record<string, unknown>]> = [
  ['list_vms', { state: 'RUNNING' }],
  ['get_vm', { vm: 'dc01' }],
  ['vm_stats', { vm: 'dc01' }],
  ['list_snapshots', {}],
  ['task_status', { taskTag: '424242' }],
  ['cluster_health', {}],
  ['vm_action', { vm: 'dc01', action: 'START' }],
  ['update_vm', { vm: 'dc01', cpus: 2 }]
]

test('the typed tools answer over MCP with structured content that fits their output schemas, on both SDKs', async (t) => {
  const s = await mcpSetup(t)
  for (const client of [await v1HttpClient(t, s.url, { token: TOKEN.operator }), await v2Client(t, s.url, { token: TOKEN.operator })]) {
    const listed = new Map((await client.listTools()).map((tool) => [tool.name, tool]))
    for (const [name, args] of CALLS) {
      assert.ok(listed.get(name)?.outputSchema !== undefined, `${name} lists an output schema`)
      const result = await client.callTool(name, args)
      assert.notEqual(result.isError, true, `${name} (${client.version}): ${JSON.stringify(result.content)}`)
      assert.deepEqual(JSON.parse(result.content[0]?.text ?? 'null'), result.structuredContent)
    }
    const unknown = await client.callTool('get_vm', { vm: 'no-such-vm' })
    assert.equal(unknown.isError, true)
    assert.equal(JSON.parse(unknown.content[0]?.text ?? '{}').code, 'NAME_NOT_FOUND')
  }
  assert.equal(s.sim.tasks.list().length, 0, 'START on a running VM and an update to the same CPU count sent nothing')
})
