import assert from 'node:assert/strict'
import { test } from 'node:test'
import { tools } from '../../src/tools/registry.js'
import { callAs, FLEET_TOKENS, fleetApp } from './fleet-helper.js'

// What every answer to a caller scoped to `east` must never contain: the name of a cluster outside its scope.
const WEST = /store-02|Denver/i

test('a caller scoped to a tag sees only its clusters: in list_clusters, fleet_health, errors and hints', async (t) => {
  const { app } = await fleetApp(t)
  for (const token of [FLEET_TOKENS.eastOperator, FLEET_TOKENS.eastReader]) {
    const list = await callAs(app, token, 'list_clusters', {})
    assert.equal(list.status, 200, list.text)
    assert.deepEqual(list.json.clusters.map((c: { name: string }) => c.name), ['store-01', 'store-03'])
    assert.equal(list.json.total, 2)
    assert.doesNotMatch(list.text, WEST)

    const health = await callAs(app, token, 'fleet_health', {})
    assert.equal(health.status, 200, health.text)
    assert.equal(health.json.total, 2)
    assert.doesNotMatch(health.text, WEST)

    // No cluster named: the caller has two, so it must say which; the error lists its own only.
    const required = await callAs(app, token, 'list_vms', {})
    assert.equal(required.status, 400)
    assert.equal(required.json.code, 'CLUSTER_REQUIRED')
    assert.match(required.json.message, /store-01, store-03/)
    assert.doesNotMatch(required.text, WEST)

    // A cluster outside the scope does not exist, spelled any way.
    for (const name of ['store-02', 'STORE-02', ' store-02 ', 'store-2']) {
      const hidden = await callAs(app, token, 'list_vms', { cluster: name })
      assert.equal(hidden.status, 404, hidden.text)
      assert.equal(hidden.json.code, 'NAME_NOT_FOUND')
      assert.doesNotMatch(JSON.stringify({ ...hidden.json, message: String(hidden.json.message).replaceAll(`"${name}"`, '') }), WEST)
    }
    const mine = await callAs(app, token, 'list_vms', { cluster: 'STORE-03' })
    assert.equal(mine.status, 200, mine.text)
  }
  // The admin has no scope: every cluster.
  const all = await callAs(app, FLEET_TOKENS.admin, 'list_clusters', {})
  assert.deepEqual(all.json.clusters.map((c: { name: string }) => c.name), ['store-01', 'store-02', 'store-03'])
  // /health is public: it counts the clusters and names none.
  const health = await app.inject({ method: 'GET', url: '/health' })
  assert.deepEqual(health.json().fleet, { clusters: 3, connected: 3 })
  assert.doesNotMatch(health.body, /store-0/)
})

test('every tool that calls a cluster refuses one outside the caller\'s scope without naming it, and the filters of the fleet tools cannot reach it', async (t) => {
  const { app } = await fleetApp(t)
  const list = await app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: `Bearer ${FLEET_TOKENS.eastOperator}` } })
  const published = new Set(Object.keys(list.json().paths).map((p) => p.slice(1)))
  const clusterTools = tools.filter((tool) => tool.requiresCluster && published.has(tool.name))
  assert.ok(clusterTools.length >= 15, `${clusterTools.length} cluster tools published`)
  for (const tool of clusterTools) {
    const res = await callAs(app, FLEET_TOKENS.eastOperator, tool.name, { cluster: 'store-02', ...(tool.example ?? {}) })
    assert.equal(res.json.code, 'NAME_NOT_FOUND', `${tool.name}: ${res.text}`)
    // The name the caller typed comes back in the message; nothing else may name the cluster.
    assert.doesNotMatch(JSON.stringify({ ...res.json, message: String(res.json.message).replaceAll('"store-02"', '') }), WEST, tool.name)
  }
  for (const tool of ['list_clusters', 'fleet_health']) {
    for (const filter of [{ name: 'store-02' }, { tag: 'west' }, { site: 'Denver' }, { name: '*' }]) {
      const res = await callAs(app, FLEET_TOKENS.eastOperator, tool, filter)
      assert.equal(res.status, 200, res.text)
      assert.doesNotMatch(res.text, WEST, `${tool} ${JSON.stringify(filter)}`)
    }
  }
})

test('every published cluster tool takes `cluster` on a fleet, over HTTP and MCP', async (t) => {
  const { app } = await fleetApp(t)
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: `Bearer ${FLEET_TOKENS.admin}` } })).json()
  // In the OpenAPI document some tools take a JSON body and the reads query parameters: `cluster` must be in either.
  const clusterTools = tools.filter((x) => x.requiresCluster)
  for (const tool of clusterTools) {
    const op = doc.paths[`/${tool.name}`]?.post
    assert.ok(op !== undefined, `${tool.name} is published`)
    const body = op.requestBody?.content?.['application/json']?.schema
    const named = body !== undefined ? body.properties?.cluster !== undefined : (op.parameters ?? []).some((p: { name: string }) => p.name === 'cluster')
    assert.ok(named, `${tool.name} publishes cluster`)
  }
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'test', version: '0' }, 'io.modelcontextprotocol/clientCapabilities': {} }
  const mcp = async (method: string, params: Record<string, unknown>): Promise<any> => (await app.inject({
    method: 'POST',
    url: '/mcp',
    headers: { authorization: `Bearer ${FLEET_TOKENS.eastOperator}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(params.name === undefined ? {} : { 'mcp-name': String(params.name) }) },
    payload: { jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: meta } }
  })).json()
  const listed = await mcp('tools/list', {})
  const getVm = listed.result.tools.find((x: { name: string }) => x.name === 'get_vm')
  assert.ok(getVm.inputSchema.properties.cluster !== undefined)
  const called = await mcp('tools/call', { name: 'list_vms', arguments: { cluster: 'store-03' } })
  assert.equal(called.result.isError, undefined, JSON.stringify(called))
  assert.equal(called.result.structuredContent.total, 12)
  const hidden = await mcp('tools/call', { name: 'list_vms', arguments: { cluster: 'store-02' } })
  assert.equal(hidden.result.isError, true)
  assert.match(hidden.result.content[0].text, /NAME_NOT_FOUND/)
})

test('`cluster` over a 2025-11-25 MCP session too, with the same scope', async (t) => {
  const { app } = await fleetApp(t)
  const headers = { authorization: `Bearer ${FLEET_TOKENS.eastOperator}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' }
  const post = async (payload: unknown, extra: Record<string, string> = {}): Promise<{ headers: Record<string, unknown>, message: any }> => {
    const res = await app.inject({ method: 'POST', url: '/mcp', headers: { ...headers, ...extra }, payload: payload as Record<string, unknown> })
    const data = res.body.split('\n').find((line) => line.startsWith('data: '))
    return { headers: res.headers, message: res.body === '' ? undefined : JSON.parse(data === undefined ? res.body : data.slice('data: '.length)) }
  }
  const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'test', version: '1' } } })
  const session = { 'mcp-session-id': String(init.headers['mcp-session-id']), 'mcp-protocol-version': '2025-11-25' }
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session)
  const mine = await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_vms', arguments: { cluster: 'store-01' } } }, session)
  assert.equal(mine.message.result.isError, undefined, JSON.stringify(mine.message))
  assert.equal(mine.message.result.structuredContent.total, 12)
  const hidden = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'fleet_health', arguments: {} } }, session)
  assert.equal(hidden.message.result.structuredContent.total, 2)
  assert.doesNotMatch(JSON.stringify(hidden.message), WEST)
})
