import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { pino } from 'pino'
import { createRuntime } from '../../src/runtime.js'
import { buildTestApp, scratchFile, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'

const silent = pino({ level: 'silent' })

test('SCALE_CLUSTERS_FILE: one login at start (for the catalogue), the other clusters when first used', async (t) => {
  const sims = await Promise.all([0, 1].map(async (i) => await startTestSimulator(t, { seed: 0x300 + i })))
  const file = scratchFile('fleet.yaml')
  writeFileSync(file, ['defaults: { username: admin, passwordEnv: SIM_PASSWORD }', 'clusters:', ...sims.map((sim, i) => `  - { name: site-${i + 1}, host: "${sim.url}", tlsFingerprint: "${sim.certificate?.fingerprint256 ?? ''}", tags: [t${i}] }`), ''].join('\n'))
  const runtime = await createRuntime(testConfig({ SCALE_CLUSTERS_FILE: file, SIM_PASSWORD: 'admin', SCALE_SCHEMA: 'auto' }), silent)
  t.after(() => runtime.close())
  assert.equal(runtime.fleet.size, 2)
  assert.equal(runtime.fleet.open, 1)
  assert.equal(runtime.catalog.origin, 'cluster')
  assert.deepEqual(runtime.fleet.members().map((m) => [m.name, m.tags]), [['site-1', ['t0']], ['site-2', ['t1']]])
  const lease = runtime.fleet.lease(runtime.fleet.resolve({ name: 'test' }, 'SITE-2'))
  try {
    const answer = await lease.client.call('GET', '/Cluster')
    assert.equal(answer.status, 200)
  } finally {
    lease.release()
  }
  assert.equal(runtime.fleet.open, 2)
  const metrics = await runtime.metrics?.text() ?? ''
  assert.match(metrics, /sah_fleet_clusters\{state="configured"\} 2/)
  assert.match(metrics, /sah_fleet_clusters\{state="connected"\} 2/)
  assert.doesNotMatch(metrics, /site-1|site-2/, 'no cluster names in the metrics')
})

test('SIMULATOR_CLUSTERS=10: a simulated fleet with Fleet Manager, whose degraded clusters fleet_health names, none counted healthy', async (t) => {
  const config = testConfig({ SIMULATOR_CLUSTERS: '10', SIMULATOR_VMS: '3' })
  const runtime = await createRuntime(config, silent)
  t.after(() => runtime.close())
  const members = runtime.fleet.members()
  assert.deepEqual(members.map((m) => m.name), Array.from({ length: 10 }, (_, i) => `store-${String(i + 1).padStart(2, '0')}`))
  assert.equal(new Set(members.map((m) => m.host)).size, 10)
  assert.match(runtime.banner.join('\n'), /SIMULATED FLEET/)
  assert.match(runtime.banner.join('\n'), /simulated Fleet Manager: http:\/\/127\.0\.0\.1:\d+\/api\/v2/)
  const app = await buildTestApp(t, config, { ...runtime })
  const call = async (tool: string, body: Record<string, unknown>): Promise<any> => (await app.inject({ method: 'POST', url: `/${tool}`, headers: { authorization: `Bearer ${config.tokens[0] ?? ''}` }, payload: body })).json()
  const health = await call('fleet_health', {})
  assert.equal(health.total, 10)
  assert.deepEqual(health.unread.map((u: { cluster: string, code: string }) => u.cluster), ['store-09'])
  assert.equal(health.updating, 1)
  const worst = new Map(health.worst.map((w: { cluster: string, first: string }) => [w.cluster, w.first]))
  assert.ok(worst.has('store-03'))
  const drive = await call('cluster_health', { cluster: 'store-03' })
  assert.ok(drive.problems.some((p: string) => /Drive in slot .* is not healthy/.test(p)), drive.problems.join('\n'))
  assert.match(String(worst.get('store-07')), /update .* in progress/)
  assert.ok(health.healthy + health.withProblems + health.unreadCount === 10)
  const listed = await call('list_clusters', {})
  assert.equal(listed.source, 'fleet-manager')
  assert.equal(listed.clusters.find((c: { name: string }) => c.name === 'store-09').reachable, false)
  assert.equal(listed.clusters.find((c: { name: string }) => c.name === 'store-07').updating, true)
  assert.equal(listed.clusters.find((c: { name: string }) => c.name === 'store-04').version, '9.7.4.225310')
  assert.equal(listed.clusters.find((c: { name: string }) => c.name === 'store-01').version, '9.4.30.217736')
  // Calls to clusters on two versions are checked against two catalogues (store-01's was read at start).
  await call('get_session', { cluster: 'store-04' })
  await call('get_session', { cluster: 'store-02' })
  assert.equal(runtime.catalogs?.distinct, 2)
})
