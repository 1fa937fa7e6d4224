import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { ClusterConfig } from '../../src/scale/cluster-config.js'
import type { AppError } from '../../src/errors/app-error.js'
import { HyperCoreClient } from '../../src/scale/client.js'
import { startFakeCluster, testCertificates, type FakeCluster } from './fake-cluster.js'
import { captureLogs, rejection, testClient as clientFor, testClusterConfig } from '../helper.js'

async function configFor (fake: FakeCluster, extra: Partial<ClusterConfig> = {}): Promise<ClusterConfig> {
  const { selfSigned } = await testCertificates()
  return testClusterConfig(fake, { tlsFingerprint: selfSigned.fingerprint256, ...extra })
}

async function tempDir (t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'scale-client-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

function vms (): Array<Record<string, unknown>> {
  return [{ uuid: 'vm-1', name: 'web', state: 'RUNNING' }, { uuid: 'vm-2', name: 'db', state: 'SHUTOFF' }]
}

test('logs in on first need, sends the session cookie and reuses it', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  const client = clientFor(t, await configFor(fake))

  for (let i = 0; i < 3; i++) {
    const res = await client.call('GET', '/VirDomain')
    assert.equal(res.status, 200)
    assert.deepEqual(res.data, vms())
  }
  assert.equal(fake.logins, 1)
  const login = fake.requests[0]
  assert.equal(login?.url, '/rest/v1/login')
  assert.deepEqual(JSON.parse(login?.body ?? ''), { username: fake.username, password: fake.password, useOIDC: false })
  const [session] = [...fake.sessions]
  assert.ok(fake.requests.slice(1).every((r) => r.cookie === `sessionID=${session ?? ''}`))
  // undici may open a second socket when a call follows a POST within the same tick; never one per call.
  assert.ok(fake.secureConnections <= 2, 'keep-alive connections serve the calls')
})

test('sends useOIDC true when SCALE_AUTH is oidc', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/Cluster', () => ({ body: [] }))
  const client = clientFor(t, await configFor(fake, { auth: 'oidc' }))
  await client.call('GET', '/Cluster')
  assert.equal(JSON.parse(fake.requests[0]?.body ?? '{}').useOIDC, true)
})

test('takes the session from the sessionID cookie when the body has none (plain HTTP simulator)', async (t) => {
  const fake = await startFakeCluster(t, { cert: null, cookieOnly: true })
  fake.route('GET', '/rest/v1/Cluster', () => ({ body: [{ clusterName: 'c1' }] }))
  const client = clientFor(t, await configFor(fake, { tlsFingerprint: undefined }))
  const res = await client.call('GET', '/Cluster')
  assert.deepEqual(res.data, [{ clusterName: 'c1' }])
  assert.equal(fake.logins, 1)
})

test('an expired session is replaced by exactly one new login and the call succeeds', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  const client = clientFor(t, await configFor(fake))
  await client.call('GET', '/VirDomain')
  fake.expireSessions()

  const res = await client.call('GET', '/VirDomain')
  assert.equal(res.status, 200)
  assert.equal(fake.logins, 2)
  const calls = fake.requests.map((r) => r.url)
  assert.deepEqual(calls, ['/rest/v1/login', '/rest/v1/VirDomain', '/rest/v1/VirDomain', '/rest/v1/login', '/rest/v1/VirDomain'])
})

test('50 concurrent calls on an expired session share one login', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  const client = clientFor(t, await configFor(fake))
  await client.call('GET', '/VirDomain')
  fake.expireSessions()

  const results = await Promise.all(Array.from({ length: 50 }, async () => await client.call('GET', '/VirDomain')))
  assert.ok(results.every((r) => r.status === 200))
  assert.equal(fake.logins, 2, 'the first login plus exactly one re-login')
})

test('50 concurrent first calls share one login', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  const client = clientFor(t, await configFor(fake))
  await Promise.all(Array.from({ length: 50 }, async () => await client.call('GET', '/VirDomain')))
  assert.equal(fake.logins, 1)
})

test('a wrong password is SCALE_AUTH_FAILED naming the user and never the password', async (t) => {
  const fake = await startFakeCluster(t)
  const { logger, text } = captureLogs()
  const wrong = 'Wr0ng-Secret-Value-42'
  const client = clientFor(t, await configFor(fake, { password: wrong }), { log: logger })

  const err = await rejection(client.call('GET', '/VirDomain'))
  assert.equal(err.code, 'SCALE_AUTH_FAILED')
  assert.equal(err.statusCode, 502)
  assert.match(err.message, /admin/)
  assert.match(err.message, /SCALE_PASSWORD/)
  const everything = JSON.stringify({ message: err.message, details: err.details }) + text()
  assert.ok(!everything.includes(wrong), 'the password appears nowhere')
  assert.equal(fake.logins, 0)
})

test('concurrent calls with a wrong password fail together after one login attempt', async (t) => {
  const fake = await startFakeCluster(t)
  const client = clientFor(t, await configFor(fake, { password: 'nope-nope-nope' }))
  const outcomes = await Promise.allSettled(Array.from({ length: 10 }, async () => await client.call('GET', '/VirDomain')))
  assert.ok(outcomes.every((o) => o.status === 'rejected' && (o.reason as AppError).code === 'SCALE_AUTH_FAILED'))
  assert.equal(fake.requests.filter((r) => r.url === '/rest/v1/login').length, 1)
})

test('a HyperCore 4xx keeps its status and carries the cluster\'s body; a 5xx becomes 502', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain/nope', () => ({ status: 404, body: { error: 'No VirDomain with uuid nope' } }))
  fake.route('POST', '/rest/v1/VirDomain', () => ({ status: 400, body: { error: 'dom.name is required' } }))
  fake.route('GET', '/rest/v1/Node', () => ({ status: 503, body: { error: 'cluster busy' } }))
  const client = clientFor(t, await configFor(fake))

  const notFound = await rejection(client.call('GET', '/VirDomain/nope'))
  assert.equal(notFound.code, 'SCALE_API_ERROR')
  assert.equal(notFound.statusCode, 404)
  assert.match(notFound.message, /No VirDomain with uuid nope/)
  assert.deepEqual(notFound.details, { status: 404, body: { error: 'No VirDomain with uuid nope' } })

  const bad = await rejection(client.call('POST', '/VirDomain', { body: { dom: {} } }))
  assert.equal(bad.statusCode, 400)
  assert.match(bad.message, /dom\.name is required/)

  const busy = await rejection(client.call('GET', '/Node'))
  assert.equal(busy.code, 'SCALE_API_ERROR')
  assert.equal(busy.statusCode, 502)
  assert.deepEqual(busy.details, { status: 503, body: { error: 'cluster busy' } })
  // Error bodies were read to the end, so the keep-alive socket went back to the pool each time.
  assert.ok(fake.secureConnections <= 2, `${fake.secureConnections} connections`)
})

test('plain text comes back as text; an HTML page or invalid JSON with status 200 is SCALE_BAD_RESPONSE, not a success', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/Certificate', () => ({ text: '-----BEGIN CERTIFICATE-----\nabc\n', headers: { 'content-type': 'text/plain' } }))
  fake.route('GET', '/rest/v1/Broken', () => ({ status: 500, text: '<html><body>Internal error</body></html>' }))
  fake.route('GET', '/rest/v1/Lying', () => ({ text: '{not json', headers: { 'content-type': 'application/json' } }))
  fake.route('GET', '/rest/v1/Portal', () => ({ text: '<!DOCTYPE html><html><body>Sign in</body></html>' }))
  const client = clientFor(t, await configFor(fake))

  const cert = await client.call('GET', '/Certificate')
  assert.equal(cert.json, false)
  assert.equal(cert.data, '-----BEGIN CERTIFICATE-----\nabc\n')
  for (const path of ['/Lying', '/Portal']) {
    const bad = await rejection(client.call('GET', path))
    assert.equal(bad.code, 'SCALE_BAD_RESPONSE', path)
    assert.equal(bad.statusCode, 502)
  }
  const err = await rejection(client.call('GET', '/Broken'))
  assert.equal(err.statusCode, 502)
  assert.deepEqual(err.details, { status: 500, body: '<html><body>Internal error</body></html>' })
})

test('an unreachable cluster is SCALE_UNREACHABLE', async (t) => {
  const fake = await startFakeCluster(t)
  const config = await configFor(fake)
  await fake.close()
  const client = clientFor(t, config)
  const err = await rejection(client.call('GET', '/VirDomain'))
  assert.equal(err.code, 'SCALE_UNREACHABLE')
  assert.equal(err.statusCode, 502)
  assert.match(err.message, /SCALE_HOST/)
})

test('a cluster that does not answer in time is SCALE_TIMEOUT (504)', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/Slow', () => 'hang')
  const client = clientFor(t, await configFor(fake, { timeoutMs: 300 }))
  const err = await rejection(client.call('GET', '/Slow'))
  assert.equal(err.code, 'SCALE_TIMEOUT')
  assert.equal(err.statusCode, 504)
})

test('a reset connection is SCALE_CONNECTION_RESET, GETs are retried once, and the next call works', async (t) => {
  const fake = await startFakeCluster(t)
  let resets = 0
  fake.route('GET', '/rest/v1/Flaky', () => { resets++; return 'reset' })
  fake.route('POST', '/rest/v1/Flaky', () => { resets++; return 'reset' })
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  const client = clientFor(t, await configFor(fake))

  const get = await rejection(client.call('GET', '/Flaky'))
  assert.equal(get.code, 'SCALE_CONNECTION_RESET')
  assert.equal(resets, 2, 'a GET is tried twice')
  const post = await rejection(client.call('POST', '/Flaky', { body: {} }))
  assert.equal(post.code, 'SCALE_CONNECTION_RESET')
  assert.match(post.message, /may still have carried out/)
  assert.equal(resets, 3, 'a POST is never repeated')
  assert.equal((await client.call('GET', '/VirDomain')).status, 200)
})

test('a hostile path is refused before anything is sent', async (t) => {
  const fake = await startFakeCluster(t)
  const client = clientFor(t, await configFor(fake))
  for (const path of ['/../../etc/passwd', 'https://evil.example/x', '/VirDomain%2f..%2f..', '/a\r\nX-Evil: 1']) {
    const err = await rejection(client.call('GET', path))
    assert.equal(err.code, 'PATH_NOT_ALLOWED')
    assert.equal(err.statusCode, 400)
  }
  const err = await rejection(client.call('TRACE', '/VirDomain'))
  assert.equal(err.code, 'METHOD_NOT_ALLOWED')
  assert.equal(fake.requests.length, 0)
  assert.equal(fake.secureConnections, 0)
})

test('TLS: the pinned fingerprint connects', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/Cluster', () => ({ body: [] }))
  const client = clientFor(t, await configFor(fake))
  assert.equal((await client.call('GET', '/Cluster')).status, 200)
})

test('TLS: a wrong fingerprint is refused before any byte of the request is sent', async (t) => {
  const fake = await startFakeCluster(t)
  const { selfSigned } = await testCertificates()
  const wrong = selfSigned.fingerprint256.replace(/^../, selfSigned.fingerprint256.startsWith('00') ? '11' : '00')
  const client = clientFor(t, await configFor(fake, { tlsFingerprint: wrong }))
  const err = await rejection(client.call('GET', '/Cluster'))
  assert.equal(err.code, 'SCALE_TLS_UNTRUSTED')
  assert.equal(err.statusCode, 502)
  assert.ok(err.message.includes(selfSigned.fingerprint256))
  assert.ok(err.message.includes(wrong))
  assert.equal(fake.requests.length, 0, 'not even the login (and so not the password) reached the server')
})

test('TLS: with no setting, a self-signed cluster is refused with its fingerprint and the variable to set', async (t) => {
  const fake = await startFakeCluster(t)
  const { selfSigned } = await testCertificates()
  const client = clientFor(t, await configFor(fake, { tlsFingerprint: undefined }))
  const err = await rejection(client.call('GET', '/Cluster'))
  assert.equal(err.code, 'SCALE_TLS_UNTRUSTED')
  assert.ok(err.message.includes(`SCALE_TLS_FINGERPRINT=${selfSigned.fingerprint256}`), err.message)
  assert.match(err.message, /self-signed/)
  assert.deepEqual((err.details as { fingerprint256: string }).fingerprint256, selfSigned.fingerprint256)
  assert.equal(fake.requests.length, 0)
})

test('TLS: SCALE_CA_FILE trusts a certificate that CA issued', async (t) => {
  const { ca, leaf } = await testCertificates()
  const fake = await startFakeCluster(t, { cert: leaf })
  fake.route('GET', '/rest/v1/Cluster', () => ({ body: [] }))
  const dir = await tempDir(t)
  await writeFile(join(dir, 'ca.pem'), ca.cert)
  const client = clientFor(t, await configFor(fake, { tlsFingerprint: undefined, caFile: join(dir, 'ca.pem') }))
  assert.equal((await client.call('GET', '/Cluster')).status, 200)
})

test('TLS: a CA-issued certificate for another name is refused', async (t) => {
  const { ca, wrongName } = await testCertificates()
  const fake = await startFakeCluster(t, { cert: wrongName })
  const dir = await tempDir(t)
  await writeFile(join(dir, 'ca.pem'), ca.cert)
  const client = clientFor(t, await configFor(fake, { tlsFingerprint: undefined, caFile: join(dir, 'ca.pem') }))
  const err = await rejection(client.call('GET', '/Cluster'))
  assert.equal(err.code, 'SCALE_TLS_UNTRUSTED')
  assert.match(err.message, /not issued for this host name/)
  assert.equal(fake.requests.length, 0)
})

test('TLS: a CA file does not make a different self-signed certificate trusted', async (t) => {
  const { ca } = await testCertificates()
  const fake = await startFakeCluster(t)
  const dir = await tempDir(t)
  await writeFile(join(dir, 'ca.pem'), ca.cert)
  const client = clientFor(t, await configFor(fake, { tlsFingerprint: undefined, caFile: join(dir, 'ca.pem') }))
  assert.equal((await rejection(client.call('GET', '/Cluster'))).code, 'SCALE_TLS_UNTRUSTED')
})

test('TLS: insecure mode connects to anything and warns once at construction', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/Cluster', () => ({ body: [] }))
  const { logger, lines } = captureLogs()
  const client = clientFor(t, await configFor(fake, { tlsFingerprint: undefined, insecureTls: true }), { log: logger })
  await client.call('GET', '/Cluster')
  await client.call('GET', '/Cluster')
  const warnings = lines.map((l) => JSON.parse(l) as { level: number, msg: string }).filter((l) => l.level === 40 && /INSECURE/.test(l.msg))
  assert.equal(warnings.length, 1)
})

test('an unreadable SCALE_CA_FILE fails at construction naming the variable', async () => {
  assert.throws(() => new HyperCoreClient(testClusterConfig({ url: 'https://127.0.0.1:1', username: 'u', password: 'p' }, { timeoutMs: 1000, caFile: '/nonexistent/ca.pem' })), /SCALE_CA_FILE/)
})

test('the session is stored with mode 0600 and survives a restart', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  const dir = await tempDir(t)
  const sessionFile = join(dir, 'nested', 'session.json')
  const config = await configFor(fake, { sessionFile })

  const first = new HyperCoreClient(config)
  await first.call('GET', '/VirDomain')
  await first.close()
  const info = await stat(sessionFile)
  assert.equal(info.mode & 0o777, 0o600)
  const stored = JSON.parse(await readFile(sessionFile, 'utf8')) as Record<string, unknown>
  assert.equal(stored.cluster, fake.url)
  assert.equal(stored.username, fake.username)
  assert.equal(stored.password, undefined)

  const second = clientFor(t, config)
  const session = await second.session()
  assert.equal(session.active, true)
  await second.call('GET', '/VirDomain')
  assert.equal(fake.logins, 1, 'the restarted client used the stored session')
})

test('a corrupt session file is ignored with a warning', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  const dir = await tempDir(t)
  const sessionFile = join(dir, 'session.json')
  await writeFile(sessionFile, '{"version":1,"sessionId":', { mode: 0o600 })
  const { logger, text } = captureLogs()
  const client = clientFor(t, await configFor(fake, { sessionFile }), { log: logger })

  assert.equal((await client.session()).active, false)
  assert.match(text(), /not valid JSON/)
  await client.call('GET', '/VirDomain')
  assert.equal(fake.logins, 1)
  const stored = JSON.parse(await readFile(sessionFile, 'utf8')) as { sessionId: string }
  assert.ok(fake.sessions.has(stored.sessionId), 'the corrupt file was replaced by the new session')
})

test('an unwritable session file is a warning, and the session is kept in memory', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  const dir = await tempDir(t)
  await writeFile(join(dir, 'not-a-dir'), '')
  const { logger, text } = captureLogs()
  const client = clientFor(t, await configFor(fake, { sessionFile: join(dir, 'not-a-dir', 'session.json') }), { log: logger })
  await client.call('GET', '/VirDomain')
  await client.call('GET', '/VirDomain')
  assert.equal(fake.logins, 1)
  assert.match(text(), /cannot write the session file/)
})

test('a session file for another cluster or user is ignored with a warning', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  const dir = await tempDir(t)
  const sessionFile = join(dir, 'session.json')
  const now = new Date().toISOString()
  for (const foreign of [{ cluster: 'https://127.9.9.9', username: fake.username }, { cluster: fake.url, username: 'someone-else' }]) {
    await writeFile(sessionFile, JSON.stringify({ version: 1, ...foreign, sessionId: 'abcdef123456', createdAt: now, lastUsedAt: now }))
    const { logger, text } = captureLogs()
    const client = clientFor(t, await configFor(fake, { sessionFile }), { log: logger })
    assert.equal((await client.session()).active, false)
    assert.match(text(), /another cluster or user/)
    assert.ok(!text().includes('abcdef123456'))
  }
})

test('a session file with loose permissions is tightened to 0600', async (t) => {
  const fake = await startFakeCluster(t)
  const dir = await tempDir(t)
  const sessionFile = join(dir, 'session.json')
  const now = new Date().toISOString()
  await writeFile(sessionFile, JSON.stringify({ version: 1, cluster: fake.url, username: fake.username, sessionId: 'abcdef123456', createdAt: now, lastUsedAt: now }), { mode: 0o644 })
  const client = clientFor(t, await configFor(fake, { sessionFile }))
  assert.equal((await client.session()).active, true)
  assert.equal((await stat(sessionFile)).mode & 0o777, 0o600)
})

test('logout ends the session on the cluster and deletes the file; logging out twice is fine', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  const dir = await tempDir(t)
  const sessionFile = join(dir, 'session.json')
  const client = clientFor(t, await configFor(fake, { sessionFile }))
  await client.call('GET', '/VirDomain')
  assert.equal(fake.sessions.size, 1)

  assert.deepEqual(await client.logout(), {})
  assert.equal(fake.sessions.size, 0)
  await assert.rejects(stat(sessionFile), { code: 'ENOENT' })
  assert.equal((await client.session()).active, false)
  assert.deepEqual(await client.logout(), {})
  assert.equal(fake.requests.filter((r) => r.url === '/rest/v1/logout').length, 1)
})

test('logout forgets the session even when the cluster cannot be reached', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  const client = clientFor(t, await configFor(fake))
  await client.call('GET', '/VirDomain')
  await fake.close()
  const result = await client.logout()
  assert.match(result.note ?? '', /SCALE_UNREACHABLE/)
  assert.equal((await client.session()).active, false)
})

test('login replaces the session and logs the old one out', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  const client = clientFor(t, await configFor(fake))
  await client.call('GET', '/VirDomain')
  const [old] = [...fake.sessions]
  const info = await client.login()
  assert.equal(info.active, true)
  assert.equal(fake.sessions.size, 1)
  assert.ok(!fake.sessions.has(old ?? ''))
  const [current] = [...fake.sessions]
  assert.equal(info.idHint, `…${(current ?? '').slice(-4)}`)
})

test('verify says whether the session still works, without logging in', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/Cluster', () => ({ body: [] }))
  const client = clientFor(t, await configFor(fake))
  assert.equal(await client.verify(), undefined)
  await client.login()
  assert.equal(await client.verify(), true)
  fake.expireSessions()
  assert.equal(await client.verify(), false)
  assert.equal((await client.session()).active, false)
  assert.equal(fake.logins, 1)
})

test('waitForTask follows a task to COMPLETE', async (t) => {
  const fake = await startFakeCluster(t)
  let polls = 0
  fake.route('GET', '/rest/v1/TaskTag/42', () => {
    polls++
    const state = polls < 3 ? 'RUNNING' : 'COMPLETE'
    return { body: [{ taskTag: '42', state, progressPercent: polls < 3 ? polls * 30 : 100, formattedDescription: 'Start VM', formattedMessage: '' }] }
  })
  const client = clientFor(t, await configFor(fake))
  const task = await client.waitForTask('42', 5000)
  assert.deepEqual(task, { taskTag: '42', state: 'COMPLETE', progressPercent: 100, timedOut: false })
  assert.equal(polls, 3)
})

test('waitForTask reports ERROR with the cluster\'s message', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/TaskTag/7', () => ({ body: [{ taskTag: '7', state: 'ERROR', progressPercent: 0, formattedMessage: 'VM is already running' }] }))
  const client = clientFor(t, await configFor(fake))
  const task = await client.waitForTask('7', 5000)
  assert.equal(task.state, 'ERROR')
  assert.equal(task.error, 'VM is already running')
})

test('waitForTask gives up at the deadline and says so', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/TaskTag/9', () => ({ body: [{ taskTag: '9', state: 'RUNNING', progressPercent: 50 }] }))
  const client = clientFor(t, await configFor(fake))
  const started = Date.now()
  const task = await client.waitForTask('9', 200)
  assert.equal(task.state, 'RUNNING')
  assert.equal(task.timedOut, true)
  assert.ok(Date.now() - started < 1000)
})

test('the session ID and password never appear in logs or errors', async (t) => {
  const fake = await startFakeCluster(t)
  fake.route('GET', '/rest/v1/VirDomain', () => ({ body: vms() }))
  fake.route('GET', '/rest/v1/Fail', () => ({ status: 500, body: { error: 'boom' } }))
  const { logger, text } = captureLogs()
  const client = clientFor(t, await configFor(fake), { log: logger })
  await client.call('GET', '/VirDomain')
  fake.expireSessions()
  await client.call('GET', '/VirDomain')
  const err = await rejection(client.call('GET', '/Fail'))
  await client.logout()
  const seen = text() + JSON.stringify({ m: err.message, d: err.details }) + JSON.stringify(await client.session())
  const ids = fake.requests.map((r) => /sessionID=([^;]+)/.exec(r.cookie ?? '')?.[1]).filter((id): id is string => id !== undefined)
  assert.ok(ids.length > 0)
  for (const id of ids) assert.ok(!seen.includes(id), 'session ID leaked')
  assert.ok(!seen.includes(fake.password), 'password leaked')
  assert.match(text(), /logged in to the cluster/)
})
