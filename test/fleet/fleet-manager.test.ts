import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { pino } from 'pino'
import { request } from 'undici'
import { FleetManagerClient } from '../../src/fleet/fleet-manager.js'
import { createRuntime } from '../../src/runtime.js'
import { startFleetManager } from '../../src/simulator/fleet-manager.js'
import { buildTestApp, scratchFile, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'

const silent = pino({ level: 'silent' })

test('the simulated Fleet Manager: api-key, paging up to 200, the query filter, and the client reads every page', async (t) => {
  const sim = await startTestSimulator(t)
  const fm = await startFleetManager(Array.from({ length: 250 }, (_, i) => ({ name: `store-${i}`, tags: i % 2 === 0 ? ['pos'] : [], sim })), { apiKey: 'the-right-key' })
  t.after(() => fm.close())
  const bad = await request(`${fm.url}/api/v2/clusters`, { headers: { 'api-key': 'wrong' } })
  assert.equal(bad.statusCode, 401)
  await bad.body.dump()
  const tooMany = await request(`${fm.url}/api/v2/clusters?limit=201`, { headers: { 'api-key': 'the-right-key' } })
  assert.equal(tooMany.statusCode, 400)
  await tooMany.body.dump()
  const page = await (await request(`${fm.url}/api/v2/clusters?offset=10&limit=5&query=store-1`, { headers: { 'api-key': 'the-right-key' } })).body.json() as { meta: { total: number, offset: number, limit: number }, items: Array<{ name: string, tags: string }> }
  assert.deepEqual(page.meta, { offset: 10, limit: 5, total: 111 })
  assert.equal(page.items.length, 5)

  const client = new FleetManagerClient({ url: fm.url, apiKey: 'the-right-key', refreshMs: 60_000, timeoutMs: 5000 })
  const clusters = await client.clusters()
  assert.equal(clusters.length, 250)
  assert.deepEqual(clusters[0]?.tags, ['pos'])
  assert.equal(clusters[0]?.vmTotal, 12)
  const refused = new FleetManagerClient({ url: fm.url, apiKey: 'wrong', refreshMs: 60_000, timeoutMs: 5000 })
  await assert.rejects(refused.clusters(), (err: Error & { code?: string }) => err.code === 'FLEET_MANAGER_ERROR' && /refused the API key/.test(err.message) && !err.message.includes('wrong'))
})

test('Fleet Manager discovery: clusters named for users, credentials by rule, one without credentials listed as such and refused as NO_CREDENTIALS', async (t) => {
  // Each cluster on its own loopback addresses, all on one port, as real clusters all answer on 443.
  const first = await startTestSimulator(t, { host: '127.0.10.1', seed: 0x400 })
  const port = Number(new URL(first.url).port)
  const others = await Promise.all([1, 2].map(async (i) => await startTestSimulator(t, { host: `127.0.${10 + i}.1`, port, seed: 0x400 + i })))
  const fm = await startFleetManager([
    { name: 'Store 1 – Boston', tags: ['pos'], sim: first },
    { name: 'Store 2', tags: ['pos'], sim: others[0] as typeof first },
    { name: 'Office', tags: ['office'], sim: others[1] as typeof first }
  ])
  t.after(() => fm.close())
  const file = scratchFile('fm-clusters.yaml')
  writeFileSync(file, ['credentials:', `  - { match: { tag: pos }, username: admin, passwordEnv: SIM_PASSWORD, insecureTls: true, port: ${port} }`, ''].join('\n'))
  const config = testConfig({ SCALE_CLUSTERS_FILE: file, SIM_PASSWORD: 'admin', FLEET_MANAGER_API_KEY: fm.apiKey, FLEET_MANAGER_URL: fm.url, SCALE_MODE: 'full' })
  const runtime = await createRuntime(config, silent)
  t.after(() => runtime.close())
  assert.deepEqual(runtime.fleet.members().map((m) => [m.name, m.credentials]), [['Store-1-Boston', true], ['Store-2', true], ['Office', false]])
  assert.equal(runtime.fleet.open, 1, 'one login at start, for the catalogue')

  const app = await buildTestApp(t, config, { ...runtime })
  const call = async (tool: string, body: Record<string, unknown>): Promise<{ status: number, json: any }> => {
    const res = await app.inject({ method: 'POST', url: `/${tool}`, headers: { authorization: `Bearer ${config.tokens[0] ?? ''}` }, payload: body })
    return { status: res.statusCode, json: res.json() }
  }
  const listed = await call('list_clusters', {})
  assert.equal(listed.json.source, 'fleet-manager')
  assert.deepEqual(listed.json.clusters.map((c: { name: string, credentials: boolean, vmsTotal: number }) => [c.name, c.credentials, c.vmsTotal]), [['Store-1-Boston', true, 12], ['Store-2', true, 12], ['Office', false, 12]])
  const vms = await call('list_vms', { cluster: 'store-2' })
  assert.equal(vms.status, 200)
  assert.equal(vms.json.total, 12)
  const none = await call('list_vms', { cluster: 'office' })
  assert.equal(none.json.code, 'NO_CREDENTIALS')
  const health = await call('fleet_health', {})
  assert.equal(health.json.unreadCount, 1)
  assert.deepEqual(health.json.unread.map((u: { cluster: string, code: string }) => [u.cluster, u.code]), [['Office', 'NO_CREDENTIALS']])
  const found = await call('find_vms', { vm: 'web01' })
  assert.deepEqual(found.json.vms.map((v: { cluster: string }) => v.cluster), ['Office', 'Store-1-Boston', 'Store-2'])
})

test('Fleet Manager refusing the key: the server starts with what it knows, and says why in the log', async (t) => {
  const sim = await startTestSimulator(t)
  const fm = await startFleetManager([{ name: 'a', tags: [], sim }], { apiKey: 'right' })
  t.after(() => fm.close())
  const lines: string[] = []
  const log = pino({ level: 'info' }, { write (line: string) { lines.push(line) } })
  const runtime = await createRuntime(testConfig({ FLEET_MANAGER_API_KEY: 'wrong-key', FLEET_MANAGER_URL: fm.url }), log)
  t.after(() => runtime.close())
  assert.equal(runtime.fleet.size, 0)
  assert.equal(runtime.catalog.origin, 'bundled')
  assert.ok(lines.some((l) => l.includes('Fleet Manager could not be read') && l.includes('refused the API key')))
  assert.ok(!lines.some((l) => l.includes('wrong-key')), 'the key is never logged')
})

test('two Fleet Manager names that read the same once cleaned become two clusters, each with its own inventory', async (t) => {
  const small = await startTestSimulator(t, { vms: 3, seed: 0x410 })
  const large = await startTestSimulator(t, { vms: 5, seed: 0x411 })
  const fm = await startFleetManager([{ name: 'Store 1', tags: [], sim: small }, { name: 'Store-1', tags: [], sim: large }])
  t.after(() => fm.close())
  const config = testConfig({ FLEET_MANAGER_API_KEY: fm.apiKey, FLEET_MANAGER_URL: fm.url })
  const runtime = await createRuntime(config, silent)
  t.after(() => runtime.close())
  assert.deepEqual(runtime.fleet.members().map((m) => [m.name, m.credentials]), [['Store-1', false], ['Store-1-2', false]])
  const app = await buildTestApp(t, config, { ...runtime })
  const listed = (await app.inject({ method: 'POST', url: '/list_clusters', headers: { authorization: `Bearer ${config.tokens[0] ?? ''}` }, payload: {} })).json()
  assert.deepEqual(listed.clusters.map((c: { name: string, vmsTotal: number }) => [c.name, c.vmsTotal]), [['Store-1', 3], ['Store-1-2', 5]])
})
