import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { auth, buildTestApp, captureLogs, testClient, testClusterConfig, testConfig } from '../helper.js'
import { startFakeCluster, testCertificates, type FakeCluster } from './fake-cluster.js'
import { CANONICALISED_PATHS, HOSTILE_PATHS } from './hostile-paths.js'

interface Setup {
  app: FastifyInstance
  fake: FakeCluster
  lines: string[]
  call: (tool: string, body?: unknown) => Promise<{ statusCode: number, body: string, json: () => any }>
}

async function setup (t: TestContext, routes: (fake: FakeCluster) => void = () => {}): Promise<Setup> {
  const fake = await startFakeCluster(t)
  routes(fake)
  const { selfSigned } = await testCertificates()
  const { logger, lines } = captureLogs('debug')
  const cluster = testClient(t, testClusterConfig(fake, { tlsFingerprint: selfSigned.fingerprint256 }), { log: logger, taskPollDelaysMs: [10, 20, 50] })
  const app = await buildTestApp(t, testConfig({ SCALE_MODE: 'full' }), { cluster, clusterInfo: { mode: 'cluster', cluster: cluster.host } }, { logger })
  const call = async (tool: string, body: unknown = {}): Promise<{ statusCode: number, body: string, json: () => any }> =>
    await app.inject({ method: 'POST', url: `/${tool}`, headers: auth, payload: body as Record<string, unknown> })
  return { app, fake, lines, call }
}

function vms (n: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({ uuid: `vm-${i}`, name: `vm-${i}`, state: i % 2 === 0 ? 'RUNNING' : 'SHUTOFF', description: 'd'.repeat(300), mem: 4294967296, numVCPU: 2 }))
}

test('run_api GETs a list through the session, answering {ok, status, data}', async (t) => {
  const { call, fake } = await setup(t, (f) => f.route('GET', '/rest/v1/VirDomain', () => ({ body: vms(2) })))
  const res = await call('run_api', { query: '/VirDomain', method: 'GET' })
  assert.equal(res.statusCode, 200)
  assert.deepEqual(res.json(), { ok: true, status: 200, data: vms(2) })
  assert.equal(fake.logins, 1)
})

test('run_api defaults to GET and accepts the /rest/v1 prefix, a query string and params', async (t) => {
  const { call, fake } = await setup(t, (f) => f.route('GET', '/rest/v1/Condition/filter', () => ({ body: [] })))
  const res = await call('run_api', { query: '/rest/v1/Condition/filter?includeSet=false', params: 'includeSet=true' })
  assert.equal(res.statusCode, 200)
  assert.equal(fake.requests.at(-1)?.url, '/rest/v1/Condition/filter?includeSet=true')
})

test(`run_api refuses ${HOSTILE_PATHS.length - 2} hostile paths with PATH_NOT_ALLOWED and sends nothing`, async (t) => {
  const { call, fake } = await setup(t)
  // '' and the over-long path are refused earlier by the input schema (VALIDATION_ERROR); the unit test covers them.
  const table = HOSTILE_PATHS.filter(([, path]) => path !== '' && path.length <= 2048)
  assert.ok(table.length >= 30)
  for (const [why, query] of table) {
    const res = await call('run_api', { query, method: 'GET' })
    assert.equal(res.statusCode, 400, why)
    assert.equal(res.json().code, 'PATH_NOT_ALLOWED', why)
  }
  for (const method of ['POST', 'DELETE']) {
    const res = await call('run_api', { query: '/VirDomain/../login', method, payload: {} })
    assert.equal(res.json().code, 'PATH_NOT_ALLOWED')
  }
  assert.equal(fake.requests.length, 0, 'the cluster saw no request, not even a login')
  assert.equal(fake.secureConnections, 0)
})

test('run_api decides on the canonical path: encoded session paths are refused and encoded payload checks apply', async (t) => {
  const { call, fake } = await setup(t, (f) => {
    f.route('GET', '/rest/v1/VirDomain', () => ({ body: [] }))
    f.route('GET', '/rest/v1/Condition/filter', () => ({ body: [] }))
  })
  for (const [query, method] of [['/%6Cogin', 'POST'], ['/%6cogout', 'POST'], ['/rest/v1/%6C%6F%67%69%6E', 'GET']] as const) {
    const res = await call('run_api', { query, method, payload: method === 'POST' ? { username: fake.username, password: fake.password } : undefined })
    assert.equal(res.json().code, 'SESSION_ENDPOINT', query)
  }
  const explode = await call('run_api', { query: '/%56irDomain/action', method: 'POST', payload: [{ virDomainUUID: 'vm-1', actionType: 'EXPLODE' }] })
  assert.equal(explode.json().code, 'PAYLOAD_INVALID')
  assert.equal(fake.requests.length, 0, 'nothing reached the cluster')
  // The harmless encodings reach the cluster in canonical form, under /rest/v1 and nowhere else.
  for (const [query] of CANONICALISED_PATHS.filter(([, path]) => path === '/VirDomain' || path === '/Condition/filter')) {
    const res = await call('run_api', { query })
    assert.equal(res.statusCode, 200, query)
  }
  const seen = fake.requests.filter((r) => r.url !== '/rest/v1/login').map((r) => r.url)
  assert.ok(seen.length >= 4)
  for (const url of seen) assert.match(url, /^\/rest\/v1\/(VirDomain|Condition\/filter\?includeSet=true)$/)
})

test('run_api refuses /login and /logout, pointing at the session tools, and sends nothing', async (t) => {
  const { call, fake } = await setup(t)
  for (const [query, method] of [['/login', 'POST'], ['/rest/v1/logout', 'POST'], ['/Login', 'POST'], ['login', 'GET']] as const) {
    const res = await call('run_api', { query, method, payload: method === 'POST' ? { username: fake.username, password: fake.password } : undefined })
    assert.equal(res.statusCode, 400, query)
    assert.equal(res.json().code, 'SESSION_ENDPOINT', query)
    assert.match(res.json().message, /generate_session/)
  }
  assert.equal(fake.requests.length, 0)
})

test('run_api masks session IDs and passwords inside URIs in answers and in error bodies', async (t) => {
  const { call } = await setup(t, (f) => {
    f.route('GET', '/rest/v1/Session', () => ({ body: [{ user: 'admin', sessionID: 'live-session-id-1234', nested: { session_id: 'another-live-id-5678' } }] }))
    f.route('GET', '/rest/v1/TaskTag/7', () => ({ body: [{ state: 'ERROR', formattedMessage: 'export to smb://backup:Sup3rS3cret@nas/share/vm failed' }] }))
    f.route('GET', '/rest/v1/Broken', () => ({ status: 400, body: { error: 'cannot reach smb://backup:Sup3rS3cret@nas/share', sessionID: 'live-session-id-1234' } }))
  })
  const sessions = await call('run_api', { query: '/Session' })
  assert.equal(sessions.statusCode, 200)
  assert.deepEqual(sessions.json().data, [{ user: 'admin', sessionID: '[redacted]', nested: { session_id: '[redacted]' } }])
  assert.ok(sessions.json().notes.some((n: string) => /2 secret value/.test(n)))

  const task = await call('run_api', { query: '/TaskTag/7' })
  assert.equal(task.json().data[0].formattedMessage, 'export to smb://backup:***@nas/share/vm failed')

  const broken = await call('run_api', { query: '/Broken' })
  assert.equal(broken.statusCode, 400)
  for (const res of [sessions, task, broken]) {
    assert.doesNotMatch(res.body, /Sup3rS3cret|live-session-id-1234|another-live-id-5678/)
  }
  assert.match(broken.json().message, /smb:\/\/backup:\*\*\*@nas/)
})

test('run_api refuses other methods with a 400', async (t) => {
  const { call, fake } = await setup(t)
  const res = await call('run_api', { query: '/VirDomain', method: 'TRACE' })
  assert.equal(res.statusCode, 400)
  assert.equal(res.json().code, 'VALIDATION_ERROR')
  assert.equal(fake.requests.length, 0)
})

test('run_api refuses a payload that does not match the catalog, naming each field, and sends nothing', async (t) => {
  const { call, fake } = await setup(t)
  const res = await call('run_api', { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: 'vm-1', actionType: 'POWER_ON' }, { actionType: 'START' }] })
  assert.equal(res.statusCode, 400)
  const body = res.json()
  assert.equal(body.code, 'PAYLOAD_INVALID')
  assert.match(body.message, /describe_endpoint/)
  const errors = body.details.errors as Array<{ path: string, expected?: string }>
  const enumError = errors.find((e) => e.path === '[0].actionType')
  assert.ok(enumError?.expected?.includes('START'), JSON.stringify(errors))
  assert.ok(errors.some((e) => e.path === '[1].virDomainUUID'))
  assert.deepEqual(body.details.describe, { method: 'POST', path: '/VirDomain/action' })
  assert.equal(fake.requests.length, 0)
})

test('run_api reports the expected type of a wrongly typed field', async (t) => {
  const { call } = await setup(t)
  const res = await call('run_api', { query: '/VirDomain', method: 'POST', payload: { dom: { name: 5, mem: 'lots' }, options: {} } })
  assert.equal(res.json().code, 'PAYLOAD_INVALID')
  const errors = res.json().details.errors as Array<{ path: string, expected?: string }>
  assert.deepEqual(errors.find((e) => e.path === 'dom.name')?.expected, 'string')
  assert.ok(errors.some((e) => e.path === 'dom.mem'))
})

test('run_api parses a payload sent as a JSON string and says so', async (t) => {
  const { call, fake } = await setup(t, (f) => f.route('POST', '/rest/v1/VirDomain/action', () => ({ body: { taskTag: '101', createdUUID: '' } })))
  const payload = JSON.stringify([{ virDomainUUID: 'vm-1', actionType: 'START' }])
  const res = await call('run_api', { query: 'VirDomain/action', method: 'POST', payload })
  assert.equal(res.statusCode, 200)
  const body = res.json()
  assert.equal(body.ok, true)
  assert.equal(body.taskTag, '101')
  assert.equal(body.createdUUID, undefined)
  assert.match(body.notes.join(' '), /JSON string; it was parsed/)
  assert.deepEqual(JSON.parse(fake.requests.at(-1)?.body ?? ''), [{ virDomainUUID: 'vm-1', actionType: 'START' }])
})

test('run_api refuses a string payload that is not JSON', async (t) => {
  const { call, fake } = await setup(t)
  const res = await call('run_api', { query: '/VirDomain/action', method: 'POST', payload: '[{virDomainUUID: vm-1}]' })
  assert.equal(res.statusCode, 400)
  assert.equal(res.json().code, 'PAYLOAD_INVALID')
  assert.equal(fake.requests.length, 0)
})

test('run_api turns uncertain-schema mismatches into warnings and still sends', async (t) => {
  const { call, fake } = await setup(t, (f) => f.route('POST', '/rest/v1/VirDomain/action', () => ({ body: { taskTag: '5', createdUUID: '' } })))
  const res = await call('run_api', { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: 'vm-1', actionType: 'LIVEMIGRATE', nodeUUID: 42 }] })
  assert.equal(res.statusCode, 200)
  const body = res.json()
  assert.ok(body.warnings.some((w: { path: string }) => w.path === '[0].nodeUUID'), JSON.stringify(body.warnings))
  assert.equal(fake.requests.at(-1)?.url, '/rest/v1/VirDomain/action')
})

test('run_api calls paths the catalog does not know and flags them', async (t) => {
  const { call } = await setup(t, (f) => f.route('GET', '/rest/v1/ClusterSpec', () => ({ body: [{ version: '9.6.19' }] })))
  const res = await call('run_api', { query: '/ClusterSpec' })
  assert.equal(res.statusCode, 200)
  assert.equal(res.json().unknownEndpoint, true)
  assert.deepEqual(res.json().data, [{ version: '9.6.19' }])
})

test('run_api refuses a non-empty payload on GET but ignores an empty one', async (t) => {
  const { call, fake } = await setup(t, (f) => f.route('GET', '/rest/v1/VirDomain', () => ({ body: [] })))
  assert.equal((await call('run_api', { query: '/VirDomain', payload: { name: 'x' } })).json().code, 'PAYLOAD_NOT_ALLOWED')
  assert.equal(fake.requests.length, 0)
  assert.equal((await call('run_api', { query: '/VirDomain', payload: {} })).statusCode, 200)
})

test('run_api with wait follows the task to COMPLETE', async (t) => {
  let polls = 0
  const { call } = await setup(t, (f) => {
    f.route('POST', '/rest/v1/VirDomainSnapshot', () => ({ body: { taskTag: '77', createdUUID: 'snap-1' } }))
    f.route('GET', '/rest/v1/TaskTag/77', () => {
      polls++
      return { body: [{ taskTag: '77', state: polls < 3 ? 'RUNNING' : 'COMPLETE', progressPercent: polls < 3 ? 40 : 100 }] }
    })
  })
  const res = await call('run_api', { query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: 'vm-1', label: 'before upgrade' }, wait: true })
  assert.equal(res.statusCode, 200)
  const body = res.json()
  assert.equal(body.ok, true)
  assert.equal(body.taskTag, '77')
  assert.equal(body.createdUUID, 'snap-1')
  assert.deepEqual(body.task, { state: 'COMPLETE', progressPercent: 100 })
})

test('run_api with wait reports a task that ends in ERROR as ok=false with the cluster\'s message', async (t) => {
  const { call } = await setup(t, (f) => {
    f.route('POST', '/rest/v1/VirDomain/action', () => ({ body: { taskTag: '78', createdUUID: '' } }))
    f.route('GET', '/rest/v1/TaskTag/78', () => ({ body: [{ taskTag: '78', state: 'ERROR', progressPercent: 0, formattedMessage: 'VM vm-1 is already running' }] }))
  })
  const res = await call('run_api', { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: 'vm-1', actionType: 'START' }], wait: 5 })
  assert.equal(res.statusCode, 200)
  const body = res.json()
  assert.equal(body.ok, false)
  assert.equal(body.status, 200)
  assert.deepEqual(body.task, { state: 'ERROR', progressPercent: 0, error: 'VM vm-1 is already running' })
})

test('run_api keeps the call\'s result when following its task fails', async (t) => {
  const { call } = await setup(t, (f) => {
    f.route('POST', '/rest/v1/VirDomain/action', () => ({ body: { taskTag: '79', createdUUID: '' } }))
    f.route('GET', '/rest/v1/TaskTag/79', () => ({ status: 500, body: { error: 'task store unavailable' } }))
  })
  const res = await call('run_api', { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: 'vm-1', actionType: 'START' }], wait: true })
  assert.equal(res.statusCode, 200)
  assert.equal(res.json().taskTag, '79')
  assert.match(res.json().notes.join(' '), /following task 79 failed/)
})

test('run_api truncates a large answer as valid JSON under 64 KiB, and fields/maxItems shape it', async (t) => {
  const { call } = await setup(t, (f) => f.route('GET', '/rest/v1/VirDomain', () => ({ body: vms(1000) })))
  const res = await call('run_api', { query: '/VirDomain' })
  assert.equal(res.statusCode, 200)
  assert.ok(res.body.length < 70 * 1024, `${res.body.length} bytes`)
  const body = res.json()
  assert.equal(body.truncated.total, 1000)
  assert.equal(body.truncated.returned, body.data.length)
  assert.deepEqual(body.data, vms(body.data.length), 'whole items, unchanged')

  const slim = (await call('run_api', { query: '/VirDomain', fields: ['uuid', 'state'], maxItems: 3 })).json()
  assert.deepEqual(slim.data, [{ uuid: 'vm-0', state: 'RUNNING' }, { uuid: 'vm-1', state: 'SHUTOFF' }, { uuid: 'vm-2', state: 'RUNNING' }])
  assert.deepEqual(slim.truncated, { returned: 3, total: 1000 })
})

test('run_api answers a HyperCore 4xx in our error shape with the cluster\'s body; 5xx become 502', async (t) => {
  const { call } = await setup(t, (f) => {
    f.route('GET', '/rest/v1/VirDomain/nope', () => ({ status: 404, body: { error: 'VirDomain nope not found' } }))
    f.route('GET', '/rest/v1/Node', () => ({ status: 500, text: 'Internal Server Error' }))
  })
  const notFound = await call('run_api', { query: '/VirDomain/nope' })
  assert.equal(notFound.statusCode, 404)
  assert.deepEqual(notFound.json(), {
    code: 'SCALE_API_ERROR',
    message: 'HyperCore answered 404 to GET /VirDomain/nope: VirDomain nope not found',
    details: { status: 404, body: { error: 'VirDomain nope not found' } }
  })
  const broken = await call('run_api', { query: '/Node' })
  assert.equal(broken.statusCode, 502)
  assert.deepEqual(broken.json().details, { status: 500, body: 'Internal Server Error' })
})

test('session tools: generate, get, kill, get', async (t) => {
  const { call, fake } = await setup(t, (f) => f.route('GET', '/rest/v1/Cluster', () => ({ body: [] })))
  const before = await call('get_session')
  assert.deepEqual(before.json(), { active: false, cluster: new URL(fake.url).host, node: new URL(fake.url).host })

  const generated = await call('generate_session')
  assert.equal(generated.statusCode, 200)
  assert.equal(generated.json().ok, true)
  assert.equal(generated.json().cluster, new URL(fake.url).host)
  assert.ok(!Number.isNaN(Date.parse(generated.json().createdAt)))

  const [id] = [...fake.sessions]
  const got = (await call('get_session', { verify: true })).json()
  assert.equal(got.active, true)
  assert.equal(got.verified, true)
  assert.equal(got.sessionId, `…${(id ?? '').slice(-4)}`)
  assert.equal(typeof got.ageSeconds, 'number')
  assert.ok(!Number.isNaN(Date.parse(got.lastUsedAt)))

  assert.deepEqual((await call('kill_session')).json(), { ok: true })
  assert.equal(fake.sessions.size, 0)
  assert.deepEqual((await call('get_session')).json(), { active: false, cluster: new URL(fake.url).host, node: new URL(fake.url).host })
  assert.deepEqual((await call('kill_session')).json(), { ok: true }, 'killing without a session is ok')
})

test('get_session verify notices a session the cluster dropped', async (t) => {
  const { call, fake } = await setup(t, (f) => f.route('GET', '/rest/v1/Cluster', () => ({ body: [] })))
  await call('generate_session')
  fake.expireSessions()
  assert.deepEqual((await call('get_session', { verify: true })).json(), { active: false, cluster: new URL(fake.url).host, node: new URL(fake.url).host, verified: false })
})

test('generate_session with a wrong password answers SCALE_AUTH_FAILED without the password', async (t) => {
  const { app, fake, lines } = await setup(t)
  fake.password = 'the-cluster-changed-it'
  const res = await app.inject({ method: 'POST', url: '/generate_session', headers: auth })
  assert.equal(res.statusCode, 502)
  assert.equal(res.json().code, 'SCALE_AUTH_FAILED')
  assert.ok(!res.body.includes('S3cret-Pa55word!'))
  assert.ok(!lines.join('').includes('S3cret-Pa55word!'))
})

test('no tool result, error or log line carries the session ID or the password', async (t) => {
  const { call, fake, lines } = await setup(t, (f) => {
    f.route('GET', '/rest/v1/VirDomain', () => ({ body: vms(2) }))
    f.route('GET', '/rest/v1/Cluster', () => ({ body: [] }))
    f.route('GET', '/rest/v1/Broken', () => ({ status: 500, body: { error: 'x' } }))
  })
  const bodies: string[] = []
  bodies.push((await call('generate_session')).body)
  bodies.push((await call('run_api', { query: '/VirDomain' })).body)
  fake.expireSessions()
  bodies.push((await call('run_api', { query: '/VirDomain' })).body)
  bodies.push((await call('get_session', { verify: true })).body)
  bodies.push((await call('run_api', { query: '/Broken' })).body)
  bodies.push((await call('run_api', { query: '/../x' })).body)
  bodies.push((await call('kill_session')).body)
  const ids = fake.requests.map((r) => /sessionID=([^;]+)/.exec(r.cookie ?? '')?.[1]).filter((id): id is string => id !== undefined)
  assert.ok(new Set(ids).size >= 2, 'two sessions were used')
  const everything = bodies.join('\n') + lines.join('')
  for (const id of ids) assert.ok(!everything.includes(id), 'a session ID leaked')
  assert.ok(!everything.includes(fake.password), 'the password leaked')
  assert.ok(lines.length > 5, 'the logs were captured')
})
