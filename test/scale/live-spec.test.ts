import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { pino } from 'pino'
import { buildApp } from '../../src/app.js'
import { bundledFile, Catalog } from '../../src/catalog/catalog.js'
import { searchOperations } from '../../src/catalog/search.js'
import { loadConfig } from '../../src/config/config.js'
import type { ClusterConfig } from '../../src/scale/cluster-config.js'
import { createRuntime } from '../../src/runtime.js'
import { loadCatalog, mergeCatalogs } from '../../src/scale/live-catalog.js'
import { clusterConfigFor } from '../../src/simulator/index.js'
import { auth, buildTestApp, captureLogs, testClient as clientFor, testClusterConfig, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'
import { startFakeCluster, testCertificates } from './fake-cluster.js'
import { startMisbehavingCluster } from './misbehaving-cluster.js'

/** The bundled document as a cluster of another version might describe itself: one schema changed, one operation more. */
async function clusterCatalog (): Promise<Catalog> {
  const doc = JSON.parse(await readFile(bundledFile(), 'utf8')) as { paths: Record<string, Record<string, Record<string, unknown>>> }
  const action = doc.paths['/VirDomain/action']?.post as Record<string, unknown>
  action.requestBody = {
    required: true,
    content: {
      'application/json': {
        schema: {
          type: 'array',
          items: {
            type: 'object',
            required: ['virDomainUUID', 'actionType'],
            properties: { virDomainUUID: { type: 'string' }, actionType: { type: 'string', enum: ['START', 'STOP', 'SHUTDOWN'] }, graceSeconds: { type: 'integer', description: 'Only on this cluster.' } }
          }
        }
      }
    }
  }
  delete action['x-aliases']
  doc.paths['/Widget'] = { get: { operationId: 'getWidgets', tags: ['Widgets'], summary: 'List the cluster\'s widgets', responses: { 200: { description: 'The widgets' } } } }
  return Catalog.fromDocument(doc as unknown as Record<string, unknown>, 'test-cluster-spec')
}

test('auto: the cluster\'s spec is merged with ours: our words, its schemas, its extra operations; the version comes from GET /Cluster', async (t) => {
  const sim = await startTestSimulator(t, { catalog: await clusterCatalog() })
  const client = clientFor(t, clusterConfigFor(sim))
  const { logger, text } = captureLogs()
  const catalog = await loadCatalog({ kind: 'auto' }, { client, log: logger })
  const bundled = await Catalog.load()

  assert.equal(catalog.origin, 'cluster')
  assert.equal(catalog.apiVersion, String(sim.state.cluster().icosVersion))
  assert.equal(catalog.version, bundled.version, 'the spec\'s own version string is kept apart from the API version')
  const action = catalog.byId('virDomainAction')
  const ours = bundled.byId('virDomainAction')
  assert.ok(action !== undefined && ours !== undefined)
  assert.equal(action.source, 'merged')
  assert.equal(action.summary, ours.summary)
  assert.deepEqual(action.aliases, ours.aliases, 'our search words stay although the cluster\'s spec has none')
  assert.deepEqual(action.fieldTerms, ours.fieldTerms)
  const items = (action.requestSchema as { items: { properties: Record<string, unknown> } }).items
  assert.ok('graceSeconds' in items.properties, 'the cluster\'s schema is taken')
  const widget = catalog.find('GET', '/Widget')?.operation
  assert.equal(widget?.source, 'cluster')
  assert.equal(widget?.operationId, 'getWidgets')
  assert.equal(catalog.operations.length, bundled.operations.length + 1)
  // The search index is per catalog: the merged one finds what only the cluster knows.
  assert.equal(searchOperations(catalog, 'list the widgets').results[0]?.path, '/Widget')
  assert.equal(searchOperations(catalog, 'power on a vm').results[0]?.operationId, 'virDomainAction')
  assert.match(text(), /using the cluster's own API spec/)
  assert.equal((await client.session()).active, false, 'read with HTTP Basic: no session was created')
})

test('mergeCatalogs keeps our operations the cluster\'s spec lacks and never reuses an operationId', async () => {
  const ours = await Catalog.load()
  const live = Catalog.fromDocument({
    openapi: '3.0.3',
    info: { title: 'live', version: '1.3.2' },
    paths: {
      '/VirDomain/{uuid}': { get: { operationId: 'getVirDomain', summary: 'theirs', responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'array', items: { type: 'object', properties: { liveOnly: { type: 'string' } } } } } } } } } },
      '/Gadget': { get: { operationId: 'virDomainAction', summary: 'a gadget', responses: { 200: { description: 'ok' } } } }
    }
  }, 'live')
  const merged = mergeCatalogs(ours, live, { source: 'live', apiVersion: '9.6.27.1' })
  assert.equal(merged.operations.length, ours.operations.length + 1)
  const vm = merged.find('GET', '/VirDomain/abc')?.operation
  assert.equal(vm?.source, 'merged')
  assert.equal(vm?.path, ours.find('GET', '/VirDomain/abc')?.operation.path, 'our path template and parameter names stay')
  assert.notEqual(vm?.summary, 'theirs')
  assert.ok(JSON.stringify(vm?.responseSchema).includes('liveOnly'))
  const gadget = merged.find('GET', '/Gadget')?.operation
  assert.equal(gadget?.operationId, 'virDomainAction2')
  assert.equal(merged.byId('virDomainAction')?.path, '/VirDomain/action')
  assert.equal(merged.find('POST', '/login')?.operation.source, undefined, 'ours, kept')
  assert.equal(new Set(merged.operations.map((o) => o.operationId)).size, merged.operations.length)
})

test('auto on 9.7.1+ notes the /rest/v2 spec', async (t) => {
  const sim = await startTestSimulator(t, { icosVersion: '9.7.4.225310' })
  const catalog = await loadCatalog({ kind: 'auto' }, { client: clientFor(t, clusterConfigFor(sim)), log: captureLogs().logger })
  assert.equal(catalog.apiVersion, '9.7.4.225310')
  assert.match(catalog.note ?? '', /\/rest\/v2/)
})

test('auto falls back to the bundled catalog, saying why, when the cluster serves no spec, a useless one, or nothing in time', { timeout: 30_000 }, async (t) => {
  const { selfSigned } = await testCertificates()
  const bundled = await Catalog.load()
  const configFor = (url: string, extra: Partial<ClusterConfig> = {}): ClusterConfig =>
    testClusterConfig({ url, password: 'S3cret-Pa55word!' }, { tlsFingerprint: selfSigned.fingerprint256, ...extra })

  // No spec: Basic is refused (this fake only knows sessions), the session is tried, and the spec is 404.
  const noSpec = await startFakeCluster(t)
  noSpec.route('GET', '/rest/v1/Cluster', () => ({ body: [{ icosVersion: '9.5.2.1' }] }))
  const { logger, text } = captureLogs()
  const fallback = await loadCatalog({ kind: 'auto' }, { client: clientFor(t, configFor(noSpec.url)), log: logger })
  assert.equal(fallback.origin, 'bundled')
  assert.equal(fallback.operations.length, bundled.operations.length)
  assert.match(fallback.note ?? '', /could not be read \(SCALE_API_ERROR, HTTP 404\)/)
  assert.ok(!(fallback.note ?? '').includes('No route'), 'the cluster\'s own words stay out of the note /health shows')
  assert.match(text(), /using the bundled HyperCore 9\.4 catalogue/)
  assert.ok(!text().includes('S3cret-Pa55word!'), 'the password is in no log line')

  // A spec without paths.
  const useless = await startFakeCluster(t)
  useless.route('GET', '/rest/v1/Cluster', () => ({ body: [{ icosVersion: '9.5.2.1' }] }))
  useless.route('GET', '/rest/v1/openapi.json', () => ({ body: { openapi: '3.0.3', info: { title: 'x', version: '1' } } }))
  const notUsable = await loadCatalog({ kind: 'auto' }, { client: clientFor(t, configFor(useless.url)), log: captureLogs().logger })
  assert.equal(notUsable.origin, 'bundled')
  assert.equal(notUsable.apiVersion, '9.5.2.1', 'the version is still known')
  assert.match(notUsable.note ?? '', /not usable.*no paths/)

  // A cluster that never answers: the start waits waitMs, no longer.
  const silent = await startMisbehavingCluster(t)
  silent.route('GET', '/rest/v1/Cluster', () => {})
  silent.route('GET', '/rest/v1/openapi.json', () => {})
  const slow = await loadCatalog({ kind: 'auto' }, { client: clientFor(t, configFor(silent.url, { tlsFingerprint: undefined, timeoutMs: 60_000 })), log: captureLogs().logger, waitMs: 200 })
  assert.equal(slow.origin, 'bundled')
  assert.match(slow.note ?? '', /could not be read \(SCALE_TIMEOUT\)/)
})

test('bundled and a file need no cluster; no cluster means bundled', async (t) => {
  const sim = await startTestSimulator(t)
  const { logger } = captureLogs()
  const client = clientFor(t, clusterConfigFor(sim))
  assert.equal((await loadCatalog({ kind: 'bundled' }, { client, log: logger })).origin, 'bundled')
  const file = await loadCatalog({ kind: 'file', file: bundledFile() }, { client, log: logger })
  assert.equal(file.origin, 'bundled', 'the bundled document named as a file is still the bundled one')
  assert.equal((await loadCatalog({ kind: 'auto' }, { log: logger })).origin, 'bundled')
  await assert.rejects(loadCatalog({ kind: 'file', file: '/nonexistent/spec.json' }, { client, log: logger }), { code: 'SCHEMA_FILE_INVALID' })
})

test('SCALE_SCHEMA: auto by default, bundled, a file; SCALE_SCHEMA_FILE is its older name', () => {
  const base = { MCP_BEARER_TOKEN: 'a-test-token-0123456789' }
  assert.deepEqual(loadConfig(base).schema, { kind: 'auto' })
  assert.deepEqual(loadConfig({ ...base, SCALE_SCHEMA: 'bundled' }).schema, { kind: 'bundled' })
  assert.deepEqual(loadConfig({ ...base, SCALE_SCHEMA: '/etc/hc.yaml' }).schema, { kind: 'file', file: '/etc/hc.yaml' })
  assert.deepEqual(loadConfig({ ...base, SCALE_SCHEMA_FILE: '/etc/hc.yaml' }).schema, { kind: 'file', file: '/etc/hc.yaml' })
  assert.throws(() => loadConfig({ ...base, SCALE_SCHEMA: 'auto', SCALE_SCHEMA_FILE: '/etc/hc.yaml' }), /SCALE_SCHEMA_FILE/)
})

test('the server (simulator mode) starts with the cluster\'s spec: /health and describe_endpoint show the source and the API version', async (t) => {
  const config = testConfig({ SIMULATOR_VMS: '2' })
  const runtime = await createRuntime(config, pino({ level: 'silent' }))
  t.after(() => runtime.close())
  assert.ok(runtime.banner.some((l) => /API catalog: the cluster's own spec \(HyperCore 9\.4\.30\.\d+\)/.test(l)), runtime.banner.join('\n'))
  const app = await buildApp(config, runtime, { swaggerUi: false })
  t.after(() => app.close())
  const health = (await app.inject({ url: '/health' })).json()
  assert.equal(health.catalog.source, 'cluster')
  assert.match(health.catalog.apiVersion, /^9\.4\.30\./)
  assert.equal(health.catalog.specVersion, '9.4')
  assert.equal(health.catalog.operations, runtime.catalog.operations.length)
  const described = await app.inject({ method: 'POST', url: '/describe_endpoint', headers: auth, payload: { method: 'POST', path: '/VirDomain/action' } })
  assert.equal(described.statusCode, 200, described.body)
  assert.deepEqual(described.json().catalog, { source: 'cluster', apiVersion: health.catalog.apiVersion, operation: 'merged' })
})

test('describe_endpoint on the bundled catalog says so, without a version', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/describe_endpoint', headers: auth, payload: { method: 'GET', path: '/VirDomain', detail: 'full' } })
  assert.equal(res.statusCode, 200, res.body)
  assert.deepEqual(res.json().catalog, { source: 'bundled' })
})
