import assert from 'node:assert/strict'
import { createServer, type AddressInfo } from 'node:net'
import { test } from 'node:test'
import { mapLlmError } from '../../src/llm/errors.js'
import { buildTlsConnector } from '../../src/scale/tls.js'
import { mapTransportError } from '../../src/scale/upstream-errors.js'
import { auth, buildTestApp, testClient, testClusterConfig, testConfig } from '../helper.js'
import { startFakeCluster, testCertificates } from './fake-cluster.js'

const SITE = { method: 'GET', path: '/VirDomain', url: 'https://127.0.0.1:9', timeoutMs: 1000 }
const LLM_SITE = { baseUrl: 'http://127.0.0.1:9/v1', model: 'm', timeoutMs: 1000 }

test('one network-error table: the cluster client and the LLM client classify every socket error the same way', () => {
  const cases = [
    // A connect timeout means the host could not be reached: nothing of the request was sent.
    ['UND_ERR_CONNECT_TIMEOUT', 'SCALE_UNREACHABLE', 'LLM_UNREACHABLE'],
    ['ECONNREFUSED', 'SCALE_UNREACHABLE', 'LLM_UNREACHABLE'],
    ['UND_ERR_HEADERS_TIMEOUT', 'SCALE_TIMEOUT', 'LLM_TIMEOUT'],
    ['ETIMEDOUT', 'SCALE_TIMEOUT', 'LLM_TIMEOUT'],
    ['ECONNRESET', 'SCALE_CONNECTION_RESET', 'LLM_BAD_RESPONSE']
  ] as const
  for (const [code, scale, llm] of cases) {
    const err = Object.assign(new Error(code), { code })
    assert.equal(mapTransportError(err, SITE).code, scale, code)
    assert.equal(mapLlmError(err, LLM_SITE, { timedOut: false, cancelled: false }).code, llm, code)
  }
})

test('two cluster connections in one process share nothing: each has its own session, nodes and readiness', async (t) => {
  const { selfSigned } = await testCertificates()
  const a = await startFakeCluster(t)
  const b = await startFakeCluster(t)
  a.route('GET', '/rest/v1/VirDomain', () => ({ body: [] }))
  const first = testClient(t, testClusterConfig(a, { name: 'store-1', tlsFingerprint: selfSigned.fingerprint256 }))
  const second = testClient(t, testClusterConfig(b, { tlsFingerprint: selfSigned.fingerprint256 }))
  assert.equal(first.name, 'store-1')
  assert.equal(second.name, new URL(b.url).host, 'a connection without a name goes by its host')

  await first.call('GET', '/VirDomain')
  assert.equal(a.logins, 1)
  assert.equal(b.logins, 0)
  assert.equal((await first.session()).active, true)
  assert.equal((await second.session()).active, false, 'the first connection\'s login is not the second\'s')
  assert.notEqual(first.readiness, second.readiness)
  assert.equal(first.readiness.node, new URL(a.url).host)
  assert.equal(second.readiness.node, new URL(b.url).host)

  await b.close()
  const down = await second.readiness.reachable()
  assert.equal(down.ok, false)
  assert.equal(down.lastFailure?.code, 'SCALE_UNREACHABLE')
  const up = await first.readiness.reachable()
  assert.equal(up.ok, true, 'one cluster\'s failure is not another\'s')
  assert.equal(up.lastFailure, undefined)
})

test('each TLS connector tells only its own connect failures (no state shared between connections)', async () => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = String((server.address() as AddressInfo).port)
  await new Promise((resolve) => server.close(resolve))
  const mine = buildTlsConnector({ mode: 'verify' }, 1000)
  const other = buildTlsConnector({ mode: 'verify' }, 1000)
  const err = await new Promise<Error>((resolve) => {
    mine.connect({ hostname: '127.0.0.1', host: '127.0.0.1', protocol: 'http:', port }, (...args) => { resolve(args[0] as Error) })
  })
  assert.ok(err instanceof Error)
  assert.equal(mine.isConnectFailure(err), true)
  assert.equal(other.isConnectFailure(err), false)
})

test('/health/ready asks the readiness view of the very connection the gate calls tools through', async (t) => {
  const { selfSigned } = await testCertificates()
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: [] }))
  const client = testClient(t, testClusterConfig(fake, { tlsFingerprint: selfSigned.fingerprint256 }))
  const app = await buildTestApp(t, testConfig(), { cluster: client, clusterInfo: { mode: 'cluster', cluster: client.host } })
  const asked = t.mock.method(client.readiness, 'reachable')

  const tool = await app.inject({ method: 'POST', url: '/run_api', headers: auth, payload: { query: '/VirDomain' } })
  assert.equal(tool.statusCode, 200, tool.body)
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  assert.equal(ready.statusCode, 200, ready.body)
  assert.equal(asked.mock.callCount(), 1)
  assert.equal(fake.logins, 1, 'readiness used the answer the tool call got, and logged in nowhere')
})
