import assert from 'node:assert/strict'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/config.js'
import type { ClusterConfig } from '../../src/scale/cluster-config.js'
import { ClusterNodes } from '../../src/scale/nodes.js'
import { clusterConfigFor } from '../../src/simulator/index.js'
import { auth, buildTestApp, captureLogs, rejection, testClient as clientFor, testClusterConfig, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'
import { startFakeCluster, testCertificates } from './fake-cluster.js'
import { rawResponse, startMisbehavingCluster, type MisbehavingCluster } from './misbehaving-cluster.js'

const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3']

function plain (cluster: { url: string }, extra: Partial<ClusterConfig> = {}): ClusterConfig {
  return testClusterConfig(cluster, extra)
}

/** Answers every GET with `[{"node": name}]` and every change with a task tag, as a healthy node would. */
function healthy (cluster: MisbehavingCluster, name: string): void {
  for (const path of ['/rest/v1/VirDomain', '/rest/v1/Node']) cluster.route('GET', path, (s) => s.write(rawResponse(200, JSON.stringify([{ node: name }]))))
  cluster.route('POST', '/rest/v1/VirDomain/action', (s) => s.write(rawResponse(200, JSON.stringify({ taskTag: `${name}-1`, createdUUID: '' }))))
}

test('the node list: configured first, SCALE_NODES, then lanIPs from GET /Node with the configured scheme and port; junk is ignored', () => {
  const nodes = new ClusterNodes('https://127.0.0.5:8443', ['https://127.0.0.9'])
  const added = nodes.learn([{ lanIP: '127.0.0.5' }, { lanIP: '127.0.0.6' }, { lanIP: '::1' }, { lanIP: '' }, { lanIP: '0.0.0.0' }, { lanIP: 'a b' }, { lanIP: 'x/../y' }, { lanIP: 42 }, null, 'nope'])
  assert.deepEqual(added, ['https://127.0.0.6:8443', 'https://[::1]:8443'])
  assert.deepEqual(nodes.list(), ['https://127.0.0.5:8443', 'https://127.0.0.9', 'https://127.0.0.6:8443', 'https://[::1]:8443'])
  assert.deepEqual(nodes.learn({ lanIP: '127.0.0.8' }), [], 'not a list')
  nodes.use('https://127.0.0.6:8443')
  assert.equal(nodes.current, 'https://127.0.0.6:8443')
  assert.deepEqual(nodes.order(), ['https://127.0.0.6:8443', 'https://[::1]:8443', 'https://127.0.0.5:8443', 'https://127.0.0.9'])
  nodes.learn(Array.from({ length: 40 }, (_, i) => ({ lanIP: `127.1.0.${i}` })))
  assert.equal(nodes.list().length, 16, 'bounded')
  const deaf = new ClusterNodes('https://127.0.0.5', ['https://127.0.0.9'], { learn: false })
  assert.deepEqual(deaf.learn([{ lanIP: '127.0.0.6' }]), [])
  assert.deepEqual(deaf.list(), ['https://127.0.0.5', 'https://127.0.0.9'])
})

test('SCALE_NODES takes addresses with SCALE_HOST\'s scheme and port; SCALE_TLS_FINGERPRINT takes several pins', () => {
  const base = { MCP_BEARER_TOKEN: 'a-test-token-0123456789', SCALE_HOST: 'https://127.0.0.5:8443', SCALE_USERNAME: 'admin', SCALE_PASSWORD: 'pw' }
  assert.deepEqual(loadConfig({ ...base, SCALE_NODES: '127.0.0.6, 127.0.0.7:9443, https://localhost, ::1' }).cluster?.nodes,
    ['https://127.0.0.6:8443', 'https://127.0.0.7:9443', 'https://localhost', 'https://[::1]:8443'])
  assert.equal(loadConfig(base).cluster?.nodes, undefined)
  assert.throws(() => loadConfig({ ...base, SCALE_NODES: '127.0.0.6/x' }), /SCALE_NODES/)
  assert.throws(() => loadConfig({ ...base, SCALE_NODES: 'ftp://127.0.0.6' }), /SCALE_NODES/)
  const a = 'ab'.repeat(32)
  const b = 'CD:'.repeat(31) + 'CD'
  assert.equal(loadConfig({ ...base, SCALE_TLS_FINGERPRINT: `${a}, sha256 Fingerprint=${b}` }).cluster?.tlsFingerprint, `${'AB:'.repeat(31)}AB,${b}`)
  assert.throws(() => loadConfig({ ...base, SCALE_TLS_FINGERPRINT: `${a},` }), /SCALE_TLS_FINGERPRINT/)
})

test('a node taken down: calls move to the next node learned from GET /Node, say which answered, and stay there', async (t) => {
  const sim = await startTestSimulator(t, { nodeAddresses: ADDRESSES })
  const [one, two] = sim.nodes.list()
  assert.ok(one !== undefined && two !== undefined)
  const { logger, lines } = captureLogs()
  const client = clientFor(t, clusterConfigFor(sim, { timeoutMs: 5000 }), { log: logger, discoverNodes: true })
  assert.equal((await client.call('GET', '/Cluster')).node, `127.0.0.1:${one.port}`)
  assert.deepEqual(await client.discoverNodes(), ADDRESSES.map((a) => `${a}:${one.port}`))

  await sim.nodes.down(one.lanIP)
  const vms = await client.call('GET', '/VirDomain')
  assert.equal(vms.status, 200)
  assert.equal(vms.node, `127.0.0.2:${two.port}`)
  assert.equal(client.node, `127.0.0.2:${two.port}`)
  assert.equal((await client.session()).node, `127.0.0.2:${two.port}`)
  assert.equal((await client.session()).cluster, `127.0.0.1:${one.port}`, 'the configured cluster stays what it is')
  // A change goes to the node in use; one login served both nodes (a session is valid cluster-wide).
  const vm = (vms.data as Array<{ uuid: string }>)[0]?.uuid ?? ''
  const started = await client.call('POST', '/VirDomain/action', { body: [{ virDomainUUID: vm, actionType: 'START' }] })
  assert.equal(started.node, `127.0.0.2:${two.port}`)
  const logs = lines.map((l) => JSON.parse(l) as { msg: string, node?: string })
  assert.equal(logs.filter((l) => l.msg === 'cluster node not answering; trying the next node').length, 1, 'later calls go straight to the new node')
  assert.equal(logs.filter((l) => l.msg === 'logged in to the cluster').length, 1)
  assert.ok(logs.some((l) => l.msg === 'calls go to another cluster node now' && l.node === `127.0.0.2:${two.port}`))

  // /health says which node answers and which are known.
  const app = await buildTestApp(t, testConfig(), { cluster: client, clusterInfo: { mode: 'cluster', cluster: client.host } })
  const health = (await app.inject({ url: '/health' })).json()
  assert.equal(health.node, `127.0.0.2:${two.port}`)
  assert.equal(health.nodes.length, 3)
  const res = await app.inject({ method: 'POST', url: '/run_api', headers: auth, payload: { query: '/Node', fields: ['lanIP'] } })
  assert.equal(res.statusCode, 200, res.body)
  assert.ok((res.json().notes as string[]).includes(`Answered by cluster node 127.0.0.2:${two.port}: calls moved there when 127.0.0.1:${one.port} stopped answering.`), res.body)
})

test('without a pin or CA every node proves (SCALE_INSECURE_TLS=true, plain http), calls never go to addresses GET /Node reports; SCALE_NODES ones are used', async (t) => {
  const startLine = (lines: string[]): { msg: string, learnsNodes?: boolean } | undefined =>
    lines.map((l) => JSON.parse(l) as { msg: string, learnsNodes?: boolean }).find((l) => l.learnsNodes !== undefined)
  for (const tls of [true, false]) {
    const sim = await startTestSimulator(t, { nodeAddresses: ADDRESSES, tls })
    const [one, two] = sim.nodes.list()
    assert.ok(one !== undefined && two !== undefined)
    const { logger, lines } = captureLogs()
    const trusting = clientFor(t, clusterConfigFor(sim, { timeoutMs: 5000, tlsFingerprint: undefined, insecureTls: tls }), { log: logger, discoverNodes: true })
    assert.equal(trusting.failover.learn, false)
    const said = startLine(lines)
    assert.equal(said?.learnsNodes, false)
    assert.match(said?.msg ?? '', tls ? /SCALE_INSECURE_TLS=true/ : /plain http/)
    assert.deepEqual(await trusting.discoverNodes(), [`127.0.0.1:${one.port}`], 'what the cluster reports is not used')

    const origin = `${new URL(sim.url).protocol}//127.0.0.2:${two.port}`
    const listed = clientFor(t, clusterConfigFor(sim, { timeoutMs: 5000, tlsFingerprint: undefined, insecureTls: tls, nodes: [origin] }), { discoverNodes: true })
    assert.deepEqual(listed.knownNodes(), [`127.0.0.1:${one.port}`, `127.0.0.2:${two.port}`])
    assert.equal((await listed.call('GET', '/Cluster')).status, 200)
    await sim.nodes.down(one.lanIP)
    assert.equal((await rejection(trusting.call('GET', '/Cluster'))).code, 'SCALE_UNREACHABLE')
    assert.equal((await listed.call('GET', '/Cluster')).node, `127.0.0.2:${two.port}`)
  }
  const { logger, lines } = captureLogs()
  const sim = await startTestSimulator(t, { nodeAddresses: ADDRESSES })
  const pinned = clientFor(t, clusterConfigFor(sim, { timeoutMs: 5000 }), { log: logger, discoverNodes: true })
  assert.equal(pinned.failover.learn, true)
  assert.equal(startLine(lines)?.learnsNodes, true)
  assert.match(pinned.failover.summary, /pinned certificate/)
})

test('a change whose connection dropped after it was sent is not sent to another node; a read moves on', async (t) => {
  const a = await startMisbehavingCluster(t, { host: '127.0.0.1' })
  const b = await startMisbehavingCluster(t, { host: '127.0.0.2' })
  // Node A reads each request in full, then drops the connection: the change may have been made there.
  for (const [method, path] of [['POST', '/rest/v1/VirDomain/action'], ['GET', '/rest/v1/VirDomain']] as const) a.route(method, path, (s) => s.destroy())
  healthy(b, 'b')
  const client = clientFor(t, plain(a, { nodes: [b.url] }))

  const change = await rejection(client.call('POST', '/VirDomain/action', { body: [{ virDomainUUID: 'vm-1', actionType: 'START' }] }))
  assert.equal(change.code, 'SCALE_CONNECTION_RESET')
  assert.match(change.message, /may still have carried out/)
  assert.equal(a.requests.filter((r) => r.method === 'POST' && r.path === '/rest/v1/VirDomain/action').length, 1)
  assert.deepEqual(b.requests.map((r) => `${r.method} ${r.path}`), [], 'node B never heard of it')

  const read = await client.call('GET', '/VirDomain')
  assert.deepEqual(read.data, [{ node: 'b' }])
  assert.equal(read.node, new URL(b.url).host)
  assert.equal(a.requests.filter((r) => r.path === '/rest/v1/VirDomain').length, 2, 'tried twice on A (a stale keep-alive socket looks the same), then B')
})

test('a change whose connection was refused moves to the next node: nothing of it was written', async (t) => {
  const a = await startMisbehavingCluster(t, { host: '127.0.0.1' })
  const b = await startMisbehavingCluster(t, { host: '127.0.0.2' })
  healthy(b, 'b')
  const client = clientFor(t, plain(a, { nodes: [b.url] }))
  await a.close()
  const res = await client.call('POST', '/VirDomain/action', { body: [{ virDomainUUID: 'vm-1', actionType: 'START' }] })
  assert.deepEqual(res.data, { taskTag: 'b-1', createdUUID: '' })
  assert.equal(res.node, new URL(b.url).host)
  assert.deepEqual(b.requests.map((r) => `${r.method} ${r.path}`), ['POST /rest/v1/login', 'POST /rest/v1/VirDomain/action'])
})

test('a node that accepts connections but never finishes the TLS handshake counts as down after a third of the deadline', async (t) => {
  const { selfSigned } = await testCertificates()
  const sockets = new Set<Socket>()
  const silent = createServer((socket) => { sockets.add(socket) })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.after(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => silent.close(resolve))
  })
  const b = await startFakeCluster(t, { host: '127.0.0.2' })
  b.route('POST', '/rest/v1/VirDomain/action', () => ({ body: { taskTag: 't-1', createdUUID: '' } }))
  const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`
  const client = clientFor(t, testClusterConfig({ url, username: b.username, password: b.password }, { timeoutMs: 1500, tlsFingerprint: selfSigned.fingerprint256, nodes: [b.url] }))
  const res = await client.call('POST', '/VirDomain/action', { body: [{ virDomainUUID: 'vm-1', actionType: 'START' }] })
  assert.equal(res.node, new URL(b.url).host)
  assert.deepEqual(b.requests.map((r) => `${r.method} ${r.url}`), ['POST /rest/v1/login', 'POST /rest/v1/VirDomain/action'])
})

test('with no other node to move to, a handshake that missed the connect cap is tried again within the deadline', async (t) => {
  const { selfSigned } = await testCertificates()
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/Cluster', () => ({ body: [{ clusterName: 'one' }] }))
  // The first connection is held without a handshake (a busy node); later ones reach the cluster.
  const sockets = new Set<Socket>()
  let accepted = 0
  const front = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    if (accepted++ === 0) return
    const upstream = connect(Number(new URL(fake.url).port), '127.0.0.1')
    upstream.on('error', () => { socket.destroy() })
    socket.pipe(upstream).pipe(socket)
    sockets.add(upstream)
  })
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve))
  t.after(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => front.close(resolve))
  })
  const url = `https://127.0.0.1:${(front.address() as AddressInfo).port}`
  const client = clientFor(t, testClusterConfig({ url, username: fake.username, password: fake.password }, { timeoutMs: 3000, tlsFingerprint: selfSigned.fingerprint256 }))
  const res = await client.call('GET', '/Cluster')
  assert.deepEqual(res.data, [{ clusterName: 'one' }])
  assert.ok(accepted >= 2, `${accepted} connections`)
})

test('per-node certificates: a node whose certificate is not pinned is refused with the line to add it; with both pins the call moves', async (t) => {
  const { selfSigned, leaf } = await testCertificates()
  const a = await startFakeCluster(t, { host: '127.0.0.1' })
  const b = await startFakeCluster(t, { host: '127.0.0.2', cert: leaf })
  b.route('GET', '/rest/v1/Cluster', () => ({ body: [{ clusterName: 'b' }] }))
  await a.close()

  const onePin = clientFor(t, testClusterConfig({ url: a.url, username: b.username, password: b.password }, { tlsFingerprint: selfSigned.fingerprint256, nodes: [b.url] }))
  const refused = await rejection(onePin.call('GET', '/Cluster'))
  assert.equal(refused.code, 'SCALE_TLS_UNTRUSTED')
  assert.ok(refused.message.includes(`SCALE_TLS_FINGERPRINT=${selfSigned.fingerprint256},${leaf.fingerprint256}`), refused.message)
  assert.match(refused.message, /127\.0\.0\.2/)
  assert.deepEqual((refused.details as { nodesTried: string[] }).nodesTried, [new URL(a.url).host, new URL(b.url).host])
  assert.equal(b.requests.length, 0, 'not even the login reached the unpinned node')

  const bothPins = clientFor(t, testClusterConfig({ url: a.url, username: b.username, password: b.password }, { tlsFingerprint: `${selfSigned.fingerprint256},${leaf.fingerprint256}`, nodes: [b.url] }))
  const res = await bothPins.call('GET', '/Cluster')
  assert.deepEqual(res.data, [{ clusterName: 'b' }])
  assert.equal(res.node, new URL(b.url).host)
})

test('when every node is down the error names them all', async (t) => {
  const a = await startMisbehavingCluster(t, { host: '127.0.0.1' })
  const b = await startMisbehavingCluster(t, { host: '127.0.0.2' })
  const client = clientFor(t, plain(a, { nodes: [b.url] }))
  await a.close()
  await b.close()
  const err = await rejection(client.call('GET', '/VirDomain'))
  assert.equal(err.code, 'SCALE_UNREACHABLE')
  assert.deepEqual((err.details as { nodesTried: string[] }).nodesTried, [new URL(a.url).host, new URL(b.url).host])
  assert.match(err.message, /Every known node was tried/)
})
