import assert from 'node:assert/strict'
import { test } from 'node:test'
import { captureLogs } from '../helper.js'
import { ManualClock } from '../../src/simulator/index.js'
import { basicAuth, createSimClient, simFetch, startTestSimulator } from '../simulator-helper.js'

test('serves HTTPS with a self-signed certificate whose fingerprint it reports', async (t) => {
  const sim = await startTestSimulator(t)
  assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/)
  assert.ok(sim.certificate)
  assert.match(sim.certificate.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
  const client = createSimClient(t, sim)
  const ping = await client.call('GET', '/ping')
  assert.equal(ping.status, 200)
})

test('serves plain HTTP when tls is false', async (t) => {
  const sim = await startTestSimulator(t, { tls: false })
  assert.match(sim.url, /^http:\/\//)
  assert.equal(sim.certificate, undefined)
  const client = await simFetch(t, sim)
  assert.equal((await client.call('GET', '/Cluster')).status, 200)
})

test('login answers the session ID in the body and as an HttpOnly, Secure cookie', async (t) => {
  const sim = await startTestSimulator(t)
  const client = createSimClient(t, sim)
  const res = await client.login()
  assert.equal(res.status, 200)
  const { sessionID } = res.json as { sessionID: string }
  assert.match(sessionID, /^[0-9a-f-]{36}$/)
  const cookie = String(res.headers['set-cookie'])
  assert.match(cookie, new RegExp(`^sessionID=${sessionID};`))
  assert.match(cookie, /Path=\//)
  assert.match(cookie, /HttpOnly/)
  assert.match(cookie, /Secure/)
  assert.equal((await client.call('GET', '/VirDomain')).status, 200)
})

test('the cookie is not marked Secure over plain HTTP', async (t) => {
  const sim = await startTestSimulator(t, { tls: false })
  const res = await createSimClient(t, sim).login()
  assert.doesNotMatch(String(res.headers['set-cookie']), /Secure/)
})

test('wrong credentials get 401 with a JSON error body', async (t) => {
  const sim = await startTestSimulator(t)
  const client = createSimClient(t, sim)
  for (const [user, pass] of [[sim.username, 'wrong'], ['nobody', sim.password], ['', '']]) {
    const res = await client.login(user, pass)
    assert.equal(res.status, 401, `${user}/${pass}`)
    assert.equal(typeof (res.json as { error: string }).error, 'string')
    assert.equal(res.headers['set-cookie'], undefined)
  }
})

test('a login body without username or password gets 400', async (t) => {
  const sim = await startTestSimulator(t)
  const client = createSimClient(t, sim)
  const res = await client.raw('POST', '/rest/v1/login', { username: 'admin' })
  assert.equal(res.status, 400)
  assert.equal(typeof (res.json as { error: string }).error, 'string')
})

test('useOIDC true logs in through the configured OpenID Connect provider; a non-boolean is refused', async (t) => {
  const sim = await startTestSimulator(t)
  const client = createSimClient(t, sim)
  const oidc = await client.raw('POST', '/rest/v1/login', { username: sim.username, password: sim.password, useOIDC: true })
  assert.equal(oidc.status, 200)
  assert.equal(typeof (oidc.json as { sessionID: string }).sessionID, 'string')
  assert.equal((await client.raw('POST', '/rest/v1/login', { username: sim.username, password: sim.password, useOIDC: 'yes' })).status, 400)
  sim.state.collection('OIDCConfig').clear()
  assert.equal((await client.raw('POST', '/rest/v1/login', { username: sim.username, password: sim.password, useOIDC: true })).status, 401)
})

test('custom credentials replace admin/admin', async (t) => {
  const sim = await startTestSimulator(t, { username: 'ops', password: 's3cret-Pass' })
  const client = createSimClient(t, sim)
  assert.equal((await client.login('admin', 'admin')).status, 401)
  assert.equal((await client.login('ops', 's3cret-Pass')).status, 200)
})

test('every route but ping and login needs a session cookie', async (t) => {
  const sim = await startTestSimulator(t)
  const client = createSimClient(t, sim)
  for (const [method, path] of [['GET', '/VirDomain'], ['GET', '/Node'], ['POST', '/VirDomain/action'], ['GET', '/TaskTag/1'], ['GET', '/NoSuchThing']]) {
    const res = await client.call(method as string, path as string)
    assert.equal(res.status, 401, `${method} ${path}`)
    assert.match((res.json as { error: string }).error, /log in/i)
  }
  const bogus = await client.call('GET', '/VirDomain', undefined, { cookie: 'sessionID=00000000-0000-0000-0000-000000000000' })
  assert.equal(bogus.status, 401)
  assert.equal((await client.call('GET', '/ping')).status, 200)
})

test('logout destroys the session', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  assert.equal((await client.call('GET', '/VirDomain')).status, 200)
  const out = await client.call('POST', '/logout')
  assert.equal(out.status, 200)
  assert.match(String(out.headers['set-cookie']), /Max-Age=0/)
  assert.equal((await client.call('GET', '/VirDomain')).status, 401)
})

test('a session expires after the idle time on the clock, and a new login works', async (t) => {
  const clock = new ManualClock()
  const sim = await startTestSimulator(t, { sessionIdleMs: 60_000, clock })
  const client = await simFetch(t, sim)
  assert.equal((await client.call('GET', '/Cluster')).status, 200)
  clock.advance(60_000)
  assert.equal((await client.call('GET', '/Cluster')).status, 200, 'exactly the idle time is still alive')
  clock.advance(60_001)
  const expired = await client.call('GET', '/Cluster')
  assert.equal(expired.status, 401)
  assert.match((expired.json as { error: string }).error, /expired/)
  await client.login()
  assert.equal((await client.call('GET', '/Cluster')).status, 200)
})

test('using a session keeps it alive past the idle time', async (t) => {
  const clock = new ManualClock()
  const sim = await startTestSimulator(t, { sessionIdleMs: 1000, clock })
  const client = await simFetch(t, sim)
  // Six calls 800 ms apart span 4.8 s, far past the 1 s idle time; each gap is under it.
  for (let i = 0; i < 6; i++) {
    clock.advance(800)
    assert.equal((await client.call('GET', '/Cluster')).status, 200)
  }
})

test('HTTP Basic works on every /rest/v1 call instead of the session cookie; wrong credentials get 401', async (t) => {
  const sim = await startTestSimulator(t)
  const client = createSimClient(t, sim)
  const cluster = await client.call('GET', '/Cluster', undefined, basicAuth(sim))
  assert.equal(cluster.status, 200)
  assert.match(String((cluster.json as Array<{ icosVersion: string }>)[0]?.icosVersion), /^9\.4\./)
  const vm = [...sim.state.vms.values()].find((v) => v.state === 'SHUTOFF') as { uuid: string }
  const started = await client.call('POST', '/VirDomain/action', [{ virDomainUUID: vm.uuid, actionType: 'START' }], basicAuth(sim))
  assert.equal(started.status, 200, started.text)
  assert.match((started.json as { taskTag: string }).taskTag, /^\d+$/)
  assert.equal((await client.call('GET', '/Cluster', undefined, basicAuth(sim, sim.username, 'wrong'))).status, 401)
  assert.equal((await client.call('GET', '/Cluster', undefined, { authorization: 'Basic !!!' })).status, 401)
  const created = await client.call('POST', '/User', { username: 'scripts', password: 'Scr1pts-pw' }, basicAuth(sim))
  assert.equal(created.status, 200)
  assert.equal((await client.call('GET', '/Node', undefined, basicAuth(sim, 'scripts', 'Scr1pts-pw'))).status, 200, 'users made through the API can use Basic too')
})

test('sessions are independent: logging one out leaves the other', async (t) => {
  const sim = await startTestSimulator(t)
  const a = await simFetch(t, sim)
  const b = await simFetch(t, sim)
  assert.notEqual(a.sessionID, b.sessionID)
  await a.call('POST', '/logout')
  assert.equal((await a.call('GET', '/Cluster')).status, 401)
  assert.equal((await b.call('GET', '/Cluster')).status, 200)
})

test('a user created through the API can log in with its password at once', async (t) => {
  const sim = await startTestSimulator(t)
  const admin = await simFetch(t, sim)
  const created = await admin.call('POST', '/User', { username: 'auditor', password: 'Audit-2026', fullName: 'Auditor' })
  assert.equal(created.status, 200)
  assert.equal((created.json as { taskTag: string }).taskTag, '')
  const other = createSimClient(t, sim)
  assert.equal((await other.login('auditor', 'wrong')).status, 401)
  assert.equal((await other.login('auditor', 'Audit-2026')).status, 200)
  const users = (await admin.call('GET', '/User')).json as Array<Record<string, unknown>>
  assert.ok(users.every((u) => u.password === undefined), 'passwords are never served')
})

test('the simulator never logs passwords or session IDs, even at trace level', async (t) => {
  const { logger, lines } = captureLogs('trace')
  const sim = await startTestSimulator(t, { logger, password: 'Very-Secret-Pw-77' })
  const client = createSimClient(t, sim)
  await client.login(sim.username, 'wrong-Secret-Pw-88')
  const res = await client.login()
  const sessionID = (res.json as { sessionID: string }).sessionID
  await client.call('GET', '/VirDomain?token=abc')
  const created = await client.call('POST', '/User', { username: 'u1', password: 'User-Secret-Pw-99' })
  assert.equal(created.status, 200)
  const vm = [...sim.state.vms.values()][0] as { uuid: string }
  await client.waitForTask(((await client.call('POST', '/VirDomain/action', [{ virDomainUUID: vm.uuid, actionType: 'NMI' }])).json as { taskTag: string }).taskTag)
  await client.call('GET', '/TaskTag')
  await client.call('POST', '/logout')
  const log = lines.join('\n')
  assert.ok(lines.length > 0, 'something was logged')
  for (const secret of ['Very-Secret-Pw-77', 'wrong-Secret-Pw-88', 'User-Secret-Pw-99', sessionID]) {
    assert.ok(!log.includes(secret), `${secret} must not be logged`)
  }
})
