import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { pino } from 'pino'
import { createRuntime } from '../../src/runtime.js'
import { scratchFile, testConfig } from '../helper.js'
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
})

test('SIMULATOR_CLUSTERS=3 starts a simulated fleet: store-01 to store-03, each its own simulator', async (t) => {
  const runtime = await createRuntime(testConfig({ SIMULATOR_CLUSTERS: '3', SIMULATOR_VMS: '2' }), silent)
  t.after(() => runtime.close())
  const members = runtime.fleet.members()
  assert.deepEqual(members.map((m) => m.name), ['store-01', 'store-02', 'store-03'])
  assert.equal(new Set(members.map((m) => m.host)).size, 3)
  assert.match(runtime.banner.join('\n'), /SIMULATED FLEET/)
})
