import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { pino } from 'pino'
import { Catalog } from '../../src/catalog/catalog.js'
import { AppError } from '../../src/errors/app-error.js'
import { ClusterCatalogs } from '../../src/fleet/cluster-catalogs.js'
import { createRuntime } from '../../src/runtime.js'
import type { HyperCoreClient } from '../../src/scale/client.js'
import type { SelfDescription } from '../../src/scale/describe.js'
import { specFromCatalog } from '../../src/simulator/spec.js'
import { buildTestApp, scratchFile, testCatalog, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'

const silent = pino({ level: 'silent' })

// The bundled catalogue with one difference a newer version might have: a VM's description at most 8 characters.
async function stricterCatalog (): Promise<Catalog> {
  const base = await testCatalog()
  const operations = base.operations.map((op) => {
    if (op.method !== 'PATCH' || op.path !== '/VirDomain/{virDomainUUID}') return op
    const schema = op.requestSchema as { properties: Record<string, unknown> }
    return { ...op, requestSchema: { ...schema, properties: { ...schema.properties, description: { type: 'string', maxLength: 8 } } } }
  })
  return new Catalog(operations, { version: base.version, title: base.title, source: 'stricter', tags: base.tags })
}

test('in a fleet, each cluster is called with its own spec and version, read when first called', async (t) => {
  const sims = [
    await startTestSimulator(t, { seed: 0x310 }),
    await startTestSimulator(t, { seed: 0x311, catalog: await stricterCatalog(), icosVersion: '9.7.4.225310' })
  ]
  const file = scratchFile('fleet-catalogs.yaml')
  writeFileSync(file, ['defaults: { username: admin, passwordEnv: SIM_PASSWORD }', 'clusters:', ...sims.map((sim, i) => `  - { name: site-${i + 1}, host: "${sim.url}", tlsFingerprint: "${sim.certificate?.fingerprint256 ?? ''}" }`), ''].join('\n'))
  const config = testConfig({ SCALE_CLUSTERS_FILE: file, SIM_PASSWORD: 'admin', SCALE_SCHEMA: 'auto' })
  const runtime = await createRuntime(config, silent)
  t.after(() => runtime.close())
  assert.ok(runtime.catalogs !== undefined, 'a fleet with SCALE_SCHEMA=auto keeps a catalogue per cluster')
  // Only the start cluster was asked at start; the other is not opened until called.
  assert.equal(runtime.fleet.open, 1)
  assert.equal(runtime.catalogs.distinct, 0)

  const app = await buildTestApp(t, config, { ...runtime })
  const call = async (tool: string, body: Record<string, unknown>): Promise<{ status: number, json: any }> => {
    const res = await app.inject({ method: 'POST', url: `/${tool}`, headers: { authorization: `Bearer ${config.tokens[0] ?? ''}` }, payload: body })
    return { status: res.statusCode, json: res.json() }
  }
  const vmOf = async (cluster: string): Promise<string> => (await call('list_vms', { cluster })).json.vms[0].uuid
  const patch = async (cluster: string): Promise<{ status: number, json: any }> => await call('run_api', { cluster, method: 'PATCH', query: `/VirDomain/${await vmOf(cluster)}`, payload: { description: 'longer than eight' } })

  const strict = await patch('site-2')
  assert.equal(strict.status, 400, JSON.stringify(strict.json))
  assert.equal(strict.json.code, 'PAYLOAD_INVALID')
  assert.match(strict.json.message, /description/)
  assert.equal(runtime.catalogs.distinct, 1, 'site-2 described itself when first called')

  const lenient = await patch('site-1')
  assert.equal(lenient.status, 200, JSON.stringify(lenient.json))
  assert.equal(runtime.catalogs.distinct, 1, 'site-1 kept the catalogue read from it at start')

  // Read once: the second call is judged by the same catalogue without asking the cluster again.
  const again = await patch('site-2')
  assert.equal(again.json.code, 'PAYLOAD_INVALID')
  assert.equal(runtime.catalogs.distinct, 1)
})

// A client that describes itself as told, counting how often it was asked.
function describing (host: string, answer: () => SelfDescription): { client: HyperCoreClient, asked: () => number } {
  let asked = 0
  const client = { host, selfDescription: async () => { asked++; return answer() } } as unknown as HyperCoreClient
  return { client, asked: () => asked }
}

test('clusters that describe themselves alike share one catalogue; another version gets its own', async () => {
  const spec = specFromCatalog(await testCatalog())
  const catalogs = new ClusterCatalogs({ log: silent, waitMs: 1000 })
  const a = describing('a', () => ({ icosVersion: '9.4.30.217736', spec, node: '127.0.0.1' }))
  const b = describing('b', () => ({ icosVersion: '9.4.30.217736', spec, node: '127.0.0.2' }))
  const c = describing('c', () => ({ icosVersion: '9.7.4.225310', spec, node: '127.0.0.3' }))
  const [one, two] = await Promise.all([catalogs.for('A', a.client), catalogs.for('B', b.client)])
  assert.equal(one, two)
  assert.equal(one.apiVersion, '9.4.30.217736')
  assert.equal(one.origin, 'cluster')
  const three = await catalogs.for('c', c.client)
  assert.notEqual(three, one)
  assert.equal(three.apiVersion, '9.7.4.225310')
  assert.equal(catalogs.distinct, 2)
  // Calls at once share one read.
  await Promise.all([catalogs.for('a', a.client), catalogs.for('A', a.client)])
  assert.equal(a.asked(), 1)
})

test('a cluster that cannot describe itself is called with the bundled catalogue, saying why, and asked again later', async () => {
  let now = 1_000_000
  let fail = true
  const spec = specFromCatalog(await testCatalog())
  const { client, asked } = describing('down', () => {
    if (fail) throw new AppError('SCALE_UNREACHABLE', 'no route')
    return { icosVersion: '9.6.15.213000', spec, node: '127.0.0.1' }
  })
  const catalogs = new ClusterCatalogs({ log: silent, waitMs: 1000, retryMs: 60_000, keepMs: 3_600_000, now: () => now })
  const first = await catalogs.for('down', client)
  assert.equal(first.origin, 'bundled')
  assert.match(first.note ?? '', /SCALE_UNREACHABLE/)
  assert.doesNotMatch(first.note ?? '', /no route/, 'the cluster\'s own words are not repeated')
  fail = false
  now += 59_000
  assert.equal(await catalogs.for('down', client), first, 'not asked again within the retry time')
  now += 2_000
  const second = await catalogs.for('down', client)
  assert.equal(second.apiVersion, '9.6.15.213000')
  assert.equal(asked(), 2)
  now += 3_600_001
  await catalogs.for('down', client)
  assert.equal(asked(), 3, 'a catalogue read from the cluster is read again after an hour (an update changes it)')
})
