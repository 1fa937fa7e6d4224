import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { test, type TestContext } from 'node:test'
import { HyperCoreClient } from '../../src/scale/client.js'
import { maskSecretPairs, maskSecrets, maskUriPasswords } from '../../src/gate/mask.js'
import { auth, buildTestApp, captureLogs, scratchFile, testConfig } from '../helper.js'
import { startFakeCluster, type FakeCluster } from '../scale/fake-cluster.js'

const PASSWORD = 'Cl*ster Pa$s/word@1'
const SECRETS = ['sh4red-0idc-s3cret', 'smtp-auth-p4ss', 'rec0rd-passw0rd', 'api-t0ken-value-77', 'p@ss', 'pa/ss w0rd', 'BEGIN-PRIVATE-KEY-xyz']

async function setup (t: TestContext, routes: (fake: FakeCluster) => void = () => {}, sessionFile?: string) {
  const fake = await startFakeCluster(t, { cert: null, password: PASSWORD })
  routes(fake)
  const { logger, text } = captureLogs('trace')
  const cluster = new HyperCoreClient({ url: fake.url, username: fake.username, password: fake.password, auth: 'local', timeoutMs: 5000, insecureTls: false, sessionFile }, { log: logger })
  t.after(() => cluster.close())
  const app = await buildTestApp(t, testConfig({ SCALE_MODE: 'full' }), { cluster, clusterInfo: { mode: 'cluster', cluster: cluster.host } }, { logger })
  const call = async (tool: string, body: unknown = {}): Promise<{ statusCode: number, body: string, json: () => any }> =>
    await app.inject({ method: 'POST', url: `/${tool}`, headers: auth, payload: body as Record<string, unknown> })
  return { fake, call, logs: text }
}

test('URI userinfo is masked whole, whatever the password holds', () => {
  assert.equal(maskUriPasswords('smb://admin:p@ss@nas/share'), 'smb://admin:***@nas/share')
  assert.equal(maskUriPasswords('smb://admin:pa/ss@nas/share/vm.xml'), 'smb://admin:***@nas/share/vm.xml')
  assert.equal(maskUriPasswords('to smb://admin:my pass@nas/share and smb://u:x@h/s'), 'to smb://admin:***@nas/share and smb://u:***@h/s')
  assert.equal(maskUriPasswords('smb://admin:secret@10.0.0.5:445/share'), 'smb://admin:***@10.0.0.5:445/share')
  assert.equal(maskUriPasswords('smb://nas/share and mailto:a@b.example'), 'smb://nas/share and mailto:a@b.example')
  assert.equal(maskSecretPairs('login failed: {"username":"admin","password":"x y"} token=abc&taskTag=12'), 'login failed: {"username":"admin","password":"[redacted]"} token=[redacted]&taskTag=12')
  let deep: Record<string, unknown> = { password: 'bottom' }
  for (let i = 0; i < 20_000; i++) deep = { next: deep }
  assert.equal(maskSecrets(deep).report.secretFields, 1, 'a 20,000-deep answer is walked without overflowing the stack')
})

test('secret fields and URI passwords in a cluster\'s records never reach an answer or a log', async (t) => {
  const record = {
    name: 'cfg',
    sharedSecret: SECRETS[0],
    authPassword: SECRETS[1],
    password: SECRETS[2],
    token: SECRETS[3],
    privateKey: SECRETS[6],
    exports: ['smb://backup:p@ss@nas/share', 'smb://backup:pa/ss w0rd@nas/share/vm', 'ok'],
    latestTaskTag: { taskTag: '77' }
  }
  const { call, logs } = await setup(t, (f) => {
    f.route('GET', '/rest/v1/OIDCConfig', () => ({ body: [record] }))
    f.route('POST', '/rest/v1/VirDomain/vm-1/export', () => ({ status: 400, body: { error: 'export to smb://backup:p@ss@nas/share failed', request: { target: { pathURI: 'smb://backup:pa/ss w0rd@nas/share/vm' }, password: SECRETS[2] } } }))
  })
  const res = await call('run_api', { query: '/OIDCConfig' })
  assert.equal(res.statusCode, 200)
  const data = res.json().data[0]
  assert.equal(data.sharedSecret, '[redacted]')
  assert.equal(data.authPassword, '[redacted]')
  assert.equal(data.latestTaskTag.taskTag, '77', 'a task tag is not a token')
  assert.deepEqual(data.exports, ['smb://backup:***@nas/share', 'smb://backup:***@nas/share/vm', 'ok'])
  const failed = await call('run_api', { query: '/VirDomain/vm-1/export', method: 'POST', payload: { target: { pathURI: 'smb://backup:pa/ss w0rd@nas/share/vm' } } })
  assert.equal(failed.json().code, 'SCALE_API_ERROR')
  for (const text of [res.body, failed.body, logs()]) {
    for (const secret of [...SECRETS, PASSWORD]) assert.ok(!text.includes(secret), `${secret} leaked`)
  }
})

test('a failed login whose JSON body echoes the request does not hand the password back', async (t) => {
  const { call, logs } = await setup(t, (f) => {
    f.route('POST', '/rest/v1/login', (req) => ({ status: 500, body: { error: 'backend failure', request: JSON.parse(req.body) as unknown, raw: req.body } }))
  })
  const res = await call('generate_session')
  assert.equal(res.statusCode, 502)
  assert.equal(res.json().details.body.request.password, '[redacted]')
  for (const text of [res.body, logs()]) assert.ok(!text.includes(PASSWORD), 'the password leaked')
})

test('kill_session during a login in flight wins: the login is not kept and the call says so', async (t) => {
  const sessionFile = scratchFile('session.json')
  let release: () => void = () => {}
  const held = new Promise<void>((resolve) => { release = resolve })
  let loginStarted: () => void = () => {}
  const started = new Promise<void>((resolve) => { loginStarted = resolve })
  const { fake, call } = await setup(t, (f) => {
    f.route('GET', '/rest/v1/VirDomain', () => ({ body: [] }))
    f.beforeLogin = async () => {
      loginStarted()
      await held
    }
  }, sessionFile)
  const pending = call('run_api', { query: '/VirDomain' })
  await started
  const killed = await call('kill_session')
  assert.deepEqual(killed.json(), { ok: true })
  release()
  const res = await pending
  assert.equal(res.statusCode, 409)
  assert.equal(res.json().code, 'SCALE_SESSION_ENDED')
  assert.equal((await call('get_session')).json().active, false)
  assert.equal(existsSync(sessionFile), false, 'no session file was written')
  assert.equal(fake.sessions.size, 0, 'the session the late login made was logged out')
  fake.beforeLogin = undefined
  assert.equal((await call('run_api', { query: '/VirDomain' })).statusCode, 200, 'the next call logs in again')
})
