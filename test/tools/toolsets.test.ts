import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildGate } from '../../src/faces/gate.js'
import { loadConfig } from '../../src/config/config.js'
import { ConfigError } from '../../src/errors/app-error.js'
import { toolList } from '../../src/faces/mcp/mcp-server.js'
import { toolsets } from '../../src/tools/registry.js'
import { DEFAULT_TOOLSETS, parseToolsets, TOOLSETS } from '../../src/tools/support/toolsets.js'
import { testCatalog, testConfig } from '../helper.js'
import { toolSetup } from './setup.js'

const CORE = ['query_api', 'describe_endpoint', 'run_api', 'generate_session', 'get_session', 'kill_session']
const VM = ['list_vms', 'get_vm', 'update_vm', 'vm_stats', 'vm_action', 'snapshot_vm', 'list_snapshots', 'delete_snapshot', 'clone_vm', 'export_vm', 'import_vm', 'task_status']

test('TOOLSETS takes core, vm, cluster, all and comma-separated mixes, and names a wrong word', () => {
  assert.deepEqual(parseToolsets('core'), ['core'])
  assert.deepEqual(parseToolsets(' VM , core '), ['core', 'vm'])
  assert.deepEqual(parseToolsets('all'), [...TOOLSETS])
  assert.deepEqual(parseToolsets('cluster,all'), [...TOOLSETS])
  assert.deepEqual(loadConfig({ TOOLSETS: 'vm' }).toolsets, ['vm'])
  assert.deepEqual(loadConfig({}).toolsets, [...DEFAULT_TOOLSETS])
  for (const bad of ['vms', 'core;vm', ' , ']) {
    assert.throws(() => loadConfig({ TOOLSETS: bad }), (err: unknown) => err instanceof ConfigError && err.variable === 'TOOLSETS', bad)
  }
  assert.deepEqual(toolsets.core.map((t) => t.name), CORE)
  assert.deepEqual(toolsets.vm.map((t) => t.name), VM)
})

test('TOOLSETS picks the tools the MCP list shows; audit_log (admins) is outside every toolset', async (t) => {
  const catalog = await testCatalog()
  const published = (value: string, role: 'operator' | 'admin' = 'operator'): string[] => {
    const gate = buildGate(testConfig({ TOOLSETS: value }), { catalog }, undefined)
    t.after(() => gate.close())
    return toolList(gate, role).map((tool) => tool.name)
  }
  assert.deepEqual(published('core'), CORE)
  assert.deepEqual(published('vm'), VM)
  assert.deepEqual(published('core,vm'), [...CORE, ...VM])
  assert.deepEqual(published('vm', 'admin'), ['audit_log', ...VM])
  const all = published('all')
  for (const name of [...CORE, ...VM, ...toolsets.cluster.filter((t) => t.fleetOnly !== true).map((t) => t.name)]) assert.ok(all.includes(name), name)
  // The fleet tools only where there are several clusters.
  assert.ok(!all.includes('list_clusters') && !all.includes('fleet_health'))
})

test('a tool left out by TOOLSETS is not in openapi.json, has no route, and the gate answers NOT_FOUND for it', async (t) => {
  const s = await toolSetup(t, { env: { TOOLSETS: 'core' } })
  const doc = await s.app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: 'Bearer tools-admin-token-0123456789abcdef' } })
  const paths = Object.keys(doc.json().paths)
  assert.ok(paths.includes('/run_api') && paths.includes('/audit_log'))
  assert.ok(!paths.some((p) => VM.includes(p.slice(1))), paths.join(' '))
  const res = await s.call('list_vms', {})
  assert.equal(res.statusCode, 404)
  assert.equal(res.json().code, 'NOT_FOUND')

  const vmOnly = await toolSetup(t, { env: { TOOLSETS: 'vm' } })
  assert.equal((await vmOnly.call('run_api', { query: '/VirDomain' })).json().code, 'NOT_FOUND')
  assert.equal((await vmOnly.call('list_vms', {})).statusCode, 200)

  const gate = buildGate(testConfig({ TOOLSETS: 'core' }), { catalog: await testCatalog() }, undefined)
  t.after(() => gate.close())
  await assert.rejects(gate.call('list_vms', {}, { caller: { name: 'token-1', role: 'operator' }, transport: 'mcp', log: { debug () {}, info () {}, warn () {}, error () {} } }),
    (err: unknown) => (err as { code?: string, statusCode?: number, message?: string }).code === 'NOT_FOUND' && (err as { statusCode: number }).statusCode === 404 && /TOOLSETS/.test((err as Error).message))
  assert.equal(gate.tool('list_vms'), undefined)
})
