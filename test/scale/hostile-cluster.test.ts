import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { Client } from 'undici'
import type { HyperCoreClient } from '../../src/scale/client.js'
import { auth, buildTestApp, testClient, testClusterConfig, testConfig } from '../helper.js'
import { drip, rawResponse, startMisbehavingCluster, type MisbehavingCluster } from './misbehaving-cluster.js'

interface Setup {
  cluster: MisbehavingCluster
  client: HyperCoreClient
  app: FastifyInstance
  call: (tool: string, body?: unknown) => Promise<{ statusCode: number, body: string, json: () => any }>
}

async function setup (t: TestContext, opts: { timeoutMs?: number, connections?: number, bufferedBytes?: number } = {}): Promise<Setup> {
  const cluster = await startMisbehavingCluster(t)
  const client = testClient(t, testClusterConfig(cluster, { timeoutMs: opts.timeoutMs ?? 5000, maxConnections: opts.connections, bufferedBytes: opts.bufferedBytes }), { taskPollDelaysMs: [10] })
  const app = await buildTestApp(t, testConfig({ SCALE_MODE: 'full' }), { cluster: client, clusterInfo: { mode: 'cluster', cluster: client.host } })
  const call = async (tool: string, body: unknown = {}): Promise<{ statusCode: number, body: string, json: () => any }> =>
    await app.inject({ method: 'POST', url: `/${tool}`, headers: auth, payload: body as Record<string, unknown> })
  return { cluster, client, app, call }
}

test('a cluster dripping its answer a byte at a time hits the call\'s total deadline: SCALE_TIMEOUT, not a hang', async (t) => {
  const { cluster, call } = await setup(t, { timeoutMs: 800 })
  cluster.route('GET', '/rest/v1/VirDomain', drip(100))
  const res = await call('run_api', { query: '/VirDomain' })
  assert.equal(res.statusCode, 504)
  assert.equal(res.json().code, 'SCALE_TIMEOUT')
  await cluster.requests.at(-1)?.closed
})

test('calls abandoned by their callers free their sockets: a small pool full of slow calls does not block others', async (t) => {
  const { cluster, client } = await setup(t, { connections: 2, timeoutMs: 60_000 })
  cluster.route('GET', '/rest/v1/Slow', drip(1000))
  cluster.route('GET', '/rest/v1/Fast', (socket) => socket.write(rawResponse(200, '[{"ok":true}]')))
  const callers = [new AbortController(), new AbortController()]
  const slow = callers.map(async (c) => await client.call('GET', '/Slow', { signal: c.signal }).catch((err: { code?: string }) => err.code))
  await cluster.seen('GET', '/rest/v1/Slow', 2)
  const fast = client.call('GET', '/Fast')
  for (const c of callers) c.abort()
  assert.deepEqual(await Promise.all(slow), ['CANCELLED', 'CANCELLED'])
  assert.deepEqual((await fast).data, [{ ok: true }])
  await Promise.all(cluster.requests.filter((r) => r.path === '/rest/v1/Slow').map(async (r) => await r.closed))
})

test('when our HTTP caller disconnects, the upstream request is aborted', async (t) => {
  const { cluster, app } = await setup(t, { timeoutMs: 60_000 })
  cluster.route('GET', '/rest/v1/VirDomain', drip(1000))
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const browser = new Client(url)
  const caller = new AbortController()
  const pending = browser.request({ method: 'POST', path: '/run_api', headers: { ...auth, 'content-type': 'application/json' }, body: '{"query":"/VirDomain"}', signal: caller.signal }).catch(() => 'aborted')
  await cluster.seen('GET', '/rest/v1/VirDomain')
  caller.abort()
  assert.equal(await pending, 'aborted')
  await cluster.requests.find((r) => r.path === '/rest/v1/VirDomain')?.closed
  await browser.close()
})

test('whatever a broken cluster answers, the caller gets one of our codes, never a 500 or a false success', async (t) => {
  const { cluster, call } = await setup(t)
  let deep = '0'
  for (let i = 0; i < 20_000; i++) deep = `[${deep}]`
  const cases: Array<[string, string, (s: import('node:net').Socket) => void, string]> = [
    ['GET', '/NotHttp', (s) => s.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'), 'SCALE_BAD_RESPONSE'],
    ['GET', '/Deep', (s) => s.write(rawResponse(200, deep)), 'SCALE_BAD_RESPONSE'],
    ['GET', '/BadJson', (s) => s.write(rawResponse(200, '{bad json')), 'SCALE_BAD_RESPONSE'],
    ['GET', '/Html', (s) => s.write(rawResponse(200, '<!DOCTYPE html><html><body>Login</body></html>', { 'content-type': 'text/html' })), 'SCALE_BAD_RESPONSE'],
    ['GET', '/Cut', (s) => s.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n[{"uuid":'), 'SCALE_CONNECTION_RESET'],
    ['POST', '/VirDomain/action', (s) => s.write(rawResponse(200, '<!DOCTYPE html><html>proxy</html>', { 'content-type': 'text/html' })), 'SCALE_BAD_RESPONSE']
  ]
  for (const [method, path, behaviour, code] of cases) {
    cluster.route(method, `/rest/v1${path}`, behaviour)
    const payload = method === 'POST' ? [{ virDomainUUID: 'vm-1', actionType: 'START' }] : undefined
    const res = await call('run_api', { query: path, method, payload })
    assert.equal(res.json().code, code, `${method} ${path}: ${res.body}`)
    assert.ok(res.statusCode >= 400 && res.statusCode < 600 && res.statusCode !== 500, `${path}: ${res.statusCode}`)
  }
  const change = await call('run_api', { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: 'vm-1', actionType: 'START' }] })
  assert.match(change.json().message, /may or may not have been made/)
})

test('a burst of large answers over the memory budget answers SCALE_BUSY for the reads past it, not an exhausted process', async (t) => {
  const { cluster, client } = await setup(t, { bufferedBytes: 1024 * 1024 })
  const big = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ uuid: `vm-${i}`, description: 'x'.repeat(300) })))
  let release: () => void = () => {}
  const held = new Promise<void>((resolve) => { release = resolve })
  // The first answer arrives in two halves with a pause, so it holds its share while the second one arrives.
  cluster.route('GET', '/rest/v1/Big1', (s) => {
    const text = rawResponse(200, big)
    s.write(text.slice(0, text.length - 10))
    held.then(() => s.write(text.slice(text.length - 10)), () => {})
  })
  cluster.route('GET', '/rest/v1/Big2', (s) => s.write(rawResponse(200, big)))
  const first = client.call('GET', '/Big1')
  await cluster.seen('GET', '/rest/v1/Big1')
  await new Promise((resolve) => setImmediate(resolve))
  const second = await client.call('GET', '/Big2').catch((err: { code?: string }) => err.code)
  release()
  assert.equal((await first).status, 200)
  assert.equal(second, 'SCALE_BUSY')
  assert.equal((await client.call('GET', '/Big2')).status, 200, 'once the first answer is done, the next fits')
})
