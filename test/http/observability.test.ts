import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Metrics } from '../../src/observe/metrics.js'
import { startMetricsServer } from '../../src/faces/metrics-server.js'
import { HyperCoreClient } from '../../src/scale/client.js'
import { clusterConfigFor } from '../../src/simulator/index.js'
import { auth, buildTestApp, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'
import { startFakeCluster } from '../scale/fake-cluster.js'

test('readiness follows the cluster: ready when it answers, 503 NOT_READY when not, and a probe never logs in', async (t) => {
  const fake = await startFakeCluster(t, { cert: null })
  fake.route('GET', '/rest/v1/ping', () => ({ body: { status: 'Active' } }))
  const client = new HyperCoreClient({ url: fake.url, username: fake.username, password: fake.password, auth: 'local', timeoutMs: 2000, insecureTls: false })
  t.after(() => client.close())
  const app = await buildTestApp(t, testConfig(), { cluster: client, clusterInfo: { mode: 'cluster', cluster: client.host } })
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  assert.equal(ready.statusCode, 200, ready.body)
  assert.equal(ready.json().status, 'ready')
  assert.equal(fake.logins, 0, 'the probe used /ping, not a login')
  assert.ok(fake.requests.every((r) => r.url === '/rest/v1/ping'))

  const down = new HyperCoreClient({ url: 'http://127.0.0.1:1', username: 'u', password: 'p', auth: 'local', timeoutMs: 2000, insecureTls: false })
  t.after(() => down.close())
  const unready = await buildTestApp(t, testConfig(), { cluster: down, clusterInfo: { mode: 'cluster', cluster: down.host } })
  const res = await unready.inject({ method: 'GET', url: '/health/ready' })
  assert.equal(res.statusCode, 503)
  assert.equal(res.json().code, 'NOT_READY')
  assert.equal((await unready.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'liveness stays up')
})

test('metrics count tool calls by tool, code and caller, cluster calls by operation, logins and confirmations', async (t) => {
  const sim = await startTestSimulator(t)
  const metrics = new Metrics({ processMetrics: false })
  const client = new HyperCoreClient(clusterConfigFor(sim), { observer: metrics.clusterObserver() })
  t.after(() => client.close())
  const app = await buildTestApp(t, testConfig(), { cluster: client, clusterInfo: { mode: 'simulator', cluster: client.host }, metrics })
  const call = async (tool: string, body: unknown): Promise<any> => (await app.inject({ method: 'POST', url: `/${tool}`, headers: auth, payload: body as Record<string, unknown> })).json()
  await call('describe_endpoint', { method: 'GET', path: '/VirDomain' })
  const vms = await call('run_api', { query: '/VirDomain', fields: ['uuid'] })
  await call('run_api', { query: `/VirDomain/${String(vms.data[0].uuid)}`, method: 'DELETE' })
  await call('describe_endpoint', { method: 'GET', path: '/Nope' })

  assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401, 'behind the token on the main port')
  const text = (await app.inject({ method: 'GET', url: '/metrics', headers: auth })).body
  assert.match(text, /sah_tool_calls_total\{tool="describe_endpoint",code="ok",caller="token-1"\} 1/)
  assert.match(text, /sah_tool_calls_total\{tool="describe_endpoint",code="ENDPOINT_NOT_FOUND",caller="token-1"\} 1/)
  assert.match(text, /sah_tool_calls_total\{tool="run_api",code="CONFIRMATION_REQUIRED",caller="token-1"\} 1/)
  assert.match(text, /sah_confirmations_total\{step="requested"\} 1/)
  assert.match(text, /sah_cluster_call_seconds_count\{method="GET",operation="\/VirDomain\/\{id\}",outcome="200"\} 1/)
  assert.match(text, /sah_cluster_logins_total\{result="ok"\} 1/)

  const port = await startMetricsServer(metrics, '127.0.0.1', 0)
  t.after(() => port.close())
  const scraped = await fetch(`http://127.0.0.1:${port.port}/metrics`)
  assert.equal(scraped.status, 200)
  assert.match(await scraped.text(), /sah_tool_calls_total/)
  assert.equal((await fetch(`http://127.0.0.1:${port.port}/other`)).status, 404)
})
