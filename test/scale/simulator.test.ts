import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import type { ClusterConfig } from '../../src/scale/cluster-config.js'
import { HyperCoreClient } from '../../src/scale/client.js'
import { clusterConfigFor, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js'
import { auth, buildTestApp, captureLogs, testClient, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'
import { HOSTILE_PATHS } from './hostile-paths.js'

interface SimSetup {
  sim: RunningSimulator
  /** Requests the simulator answered, as `METHOD /path`, counted on its side from its own log. */
  seen: () => string[]
  logins: () => number
}

async function simulator (t: TestContext, opts: SimulatorOptions = {}): Promise<SimSetup> {
  const lines: string[] = []
  const logger = pino({ level: 'debug' }, { write (line: string) { lines.push(line) } })
  const sim = await startTestSimulator(t, { logger, ...opts })
  // The simulator logs one line per answered request (method and path only); that is the server-side count.
  const seen = (): string[] => lines
    .map((l) => JSON.parse(l) as { msg: string, method?: string, path?: string })
    .filter((l) => l.msg === 'simulator request')
    .map((l) => `${l.method ?? ''} ${l.path ?? ''}`)
  return { sim, seen, logins: () => seen().filter((s) => s === 'POST /rest/v1/login').length }
}

function configFor (sim: RunningSimulator, extra: Partial<ClusterConfig> = {}): ClusterConfig {
  return clusterConfigFor(sim, { timeoutMs: 10_000, ...extra })
}

function clientFor (t: TestContext, config: ClusterConfig, log = captureLogs().logger): HyperCoreClient {
  return testClient(t, config, { log, taskPollDelaysMs: [20, 50, 100] })
}

async function appFor (t: TestContext, client: HyperCoreClient, logger = captureLogs().logger): Promise<{ app: FastifyInstance, call: (tool: string, body?: unknown) => Promise<{ statusCode: number, body: string, json: () => any }> }> {
  const app = await buildTestApp(t, testConfig(), { cluster: client, clusterInfo: { mode: 'simulator', cluster: client.host } }, { logger })
  return {
    app,
    call: async (tool, body = {}) => await app.inject({ method: 'POST', url: `/${tool}`, headers: auth, payload: body as Record<string, unknown> })
  }
}

async function tempFile (t: TestContext, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'scale-sim-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return join(dir, name)
}

test('simulator: the seen-request counter works', async (t) => {
  const { sim, seen } = await simulator(t)
  assert.equal(seen().length, 0)
  const client = clientFor(t, configFor(sim))
  await client.call('GET', '/ping')
  assert.deepEqual(seen(), ['POST /rest/v1/login', 'GET /rest/v1/ping'])
})

test('simulator: login, use, and an expired session replaced by exactly one login', async (t) => {
  const { sim, logins } = await simulator(t)
  const client = clientFor(t, configFor(sim))
  const first = await client.call('GET', '/VirDomain')
  assert.ok(Array.isArray(first.data) && first.data.length === 12)
  await client.call('GET', '/Node')
  assert.equal(logins(), 1)
  sim.faults.expireSessions()
  const again = await client.call('GET', '/VirDomain')
  assert.equal(again.status, 200)
  assert.equal(logins(), 2)
})

test('simulator: 50 concurrent calls on an expired session cause one login', async (t) => {
  const { sim, logins } = await simulator(t)
  const client = clientFor(t, configFor(sim))
  await client.call('GET', '/Cluster')
  sim.faults.expireSessions()
  const results = await Promise.all(Array.from({ length: 50 }, async () => await client.call('GET', '/VirDomain')))
  assert.ok(results.every((r) => r.status === 200))
  assert.equal(logins(), 2)
})

test('simulator: a wrong password is a clear error that does not echo it', async (t) => {
  const { sim } = await simulator(t)
  const { logger, text } = captureLogs()
  const client = clientFor(t, configFor(sim, { password: 'not-the-Password-123' }), logger)
  const { call } = await appFor(t, client, logger)
  const res = await call('run_api', { query: '/VirDomain' })
  assert.equal(res.statusCode, 502)
  assert.equal(res.json().code, 'SCALE_AUTH_FAILED')
  assert.match(res.json().message, /rejected the login for user "admin"/)
  assert.ok(!(res.body + text()).includes('not-the-Password-123'))
})

test('simulator: kill then get, and the next call logs in again', async (t) => {
  const { sim, logins } = await simulator(t)
  const { call } = await appFor(t, clientFor(t, configFor(sim)))
  assert.equal((await call('run_api', { query: '/VirDomain', fields: ['uuid'] })).statusCode, 200)
  assert.equal((await call('get_session')).json().active, true)
  assert.deepEqual((await call('kill_session')).json(), { ok: true })
  assert.equal((await call('get_session')).json().active, false)
  assert.equal((await call('run_api', { query: '/VirDomain', fields: ['uuid'] })).statusCode, 200)
  assert.equal(logins(), 2)
})

test('simulator: a session survives a server restart through the 0600 file', async (t) => {
  const { sim, logins } = await simulator(t)
  const sessionFile = await tempFile(t, 'session.json')
  const config = configFor(sim, { sessionFile })
  const before = new HyperCoreClient(config)
  await before.call('GET', '/VirDomain')
  await before.close()
  assert.equal((await stat(sessionFile)).mode & 0o777, 0o600)
  assert.ok(!(await readFile(sessionFile, 'utf8')).includes(sim.password) || sim.password === sim.username)

  const { call } = await appFor(t, clientFor(t, config))
  const got = (await call('get_session', { verify: true })).json()
  assert.equal(got.active, true)
  assert.equal(got.verified, true)
  assert.equal((await call('run_api', { query: '/Node' })).statusCode, 200)
  assert.equal(logins(), 1, 'no new login after the restart')
})

test('simulator: a corrupt session file is ignored and replaced', async (t) => {
  const { sim, logins } = await simulator(t)
  const sessionFile = await tempFile(t, 'session.json')
  await writeFile(sessionFile, '\u0000\u0001garbage', { mode: 0o600 })
  const { logger, text } = captureLogs()
  const client = clientFor(t, configFor(sim, { sessionFile }), logger)
  assert.equal((await client.call('GET', '/VirDomain')).status, 200)
  assert.match(text(), /session file is not valid JSON/)
  assert.equal(logins(), 1)
  assert.equal(JSON.parse(await readFile(sessionFile, 'utf8')).cluster, sim.url)
})

test('simulator: TLS modes — fingerprint right, wrong, CA, insecure, none', async (t) => {
  const { sim, seen } = await simulator(t)
  const fingerprint = sim.certificate?.fingerprint256 ?? ''
  assert.notEqual(fingerprint, '')

  assert.equal((await clientFor(t, configFor(sim)).call('GET', '/ping')).status, 200, 'pinned')

  const wrongPin = fingerprint.startsWith('AA') ? `BB${fingerprint.slice(2)}` : `AA${fingerprint.slice(2)}`
  const before = seen().length
  await assert.rejects(clientFor(t, configFor(sim, { tlsFingerprint: wrongPin })).call('GET', '/ping'), (err: { code: string, message: string }) => {
    assert.equal(err.code, 'SCALE_TLS_UNTRUSTED')
    assert.ok(err.message.includes(fingerprint))
    return true
  })
  assert.equal(seen().length, before, 'nothing reached the simulator, not even the login')

  const caFile = await tempFile(t, 'sim-ca.pem')
  await writeFile(caFile, sim.certificate?.pem ?? '')
  assert.equal((await clientFor(t, configFor(sim, { tlsFingerprint: undefined, caFile })).call('GET', '/ping')).status, 200, 'CA file')

  const { logger, text } = captureLogs()
  assert.equal((await clientFor(t, configFor(sim, { tlsFingerprint: undefined, insecureTls: true }), logger).call('GET', '/ping')).status, 200, 'insecure')
  assert.match(text(), /NOT verified/)

  await assert.rejects(clientFor(t, configFor(sim, { tlsFingerprint: undefined })).call('GET', '/ping'), (err: { code: string, message: string, statusCode: number }) => {
    assert.equal(err.code, 'SCALE_TLS_UNTRUSTED')
    assert.equal(err.statusCode, 502)
    assert.ok(err.message.includes(`SCALE_TLS_FINGERPRINT=${fingerprint}`), err.message)
    return true
  })
  assert.equal(seen().length, before + 4, 'only the accepted modes (login + ping each) reached it')
})

test('simulator: hostile paths are refused and the simulator sees no request', async (t) => {
  const { sim, seen } = await simulator(t)
  const { call } = await appFor(t, clientFor(t, configFor(sim)))
  const table = HOSTILE_PATHS.filter(([, path]) => path !== '' && path.length <= 2048)
  assert.ok(table.length >= 30)
  for (const [why, query] of table) {
    for (const method of ['GET', 'DELETE']) {
      const res = await call('run_api', { query, method })
      assert.equal(res.json().code, 'PATH_NOT_ALLOWED', `${why} (${method})`)
    }
  }
  assert.deepEqual(seen(), [])
})

test('simulator: payload validation errors name the field, and nothing is sent', async (t) => {
  const { sim, seen } = await simulator(t)
  const { call } = await appFor(t, clientFor(t, configFor(sim)))
  const res = await call('run_api', { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: 'x', actionType: 'BOOT' }] })
  assert.equal(res.statusCode, 400)
  assert.equal(res.json().code, 'PAYLOAD_INVALID')
  assert.equal(res.json().details.errors[0].path, '[0].actionType')
  assert.match(res.json().details.errors[0].expected, /START/)
  assert.deepEqual(seen(), [])
})

test('simulator: a JSON-string payload starts a VM and wait follows it to COMPLETE', async (t) => {
  const { sim } = await simulator(t)
  const { call } = await appFor(t, clientFor(t, configFor(sim)))
  const off = [...sim.state.vms.values()].find((vm) => vm.state === 'SHUTOFF')
  assert.ok(off !== undefined)
  const res = await call('run_api', {
    query: '/VirDomain/action',
    method: 'POST',
    payload: JSON.stringify([{ virDomainUUID: off.uuid, actionType: 'START' }]),
    wait: 10
  })
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json()
  assert.equal(body.ok, true)
  assert.equal(typeof body.taskTag, 'string')
  assert.equal(body.task.state, 'COMPLETE')
  assert.match(body.notes.join(' '), /JSON string/)
  assert.equal(sim.state.vms.get(off.uuid)?.state, 'RUNNING')
})

test('simulator: wait reports a task that ends in ERROR (rebooting a stopped VM)', async (t) => {
  const { sim } = await simulator(t)
  const { call } = await appFor(t, clientFor(t, configFor(sim)))
  const stopped = [...sim.state.vms.values()].find((vm) => vm.state === 'SHUTOFF')
  assert.ok(stopped !== undefined)
  // A no-op START now succeeds, as on real clusters; REBOOT of a stopped VM fails (after the confirm step, where one applies).
  const args = { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: stopped.uuid, actionType: 'REBOOT' }], wait: true }
  const first = await call('run_api', args)
  const res = first.json().code === 'CONFIRMATION_REQUIRED' ? await call('run_api', { ...args, confirm: first.json().details.confirmToken }) : first
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json()
  assert.equal(body.ok, false)
  assert.equal(body.task.state, 'ERROR')
  assert.ok(typeof body.task.error === 'string' && body.task.error.length > 0)
})

test('simulator: 500 VMs are truncated as valid JSON under 64 KiB', async (t) => {
  const { sim } = await simulator(t, { vms: 500 })
  const { call } = await appFor(t, clientFor(t, configFor(sim)))
  const res = await call('run_api', { query: '/VirDomain' })
  assert.equal(res.statusCode, 200)
  assert.ok(Buffer.byteLength(res.body) < 66 * 1024, `${Buffer.byteLength(res.body)} bytes`)
  const body = res.json()
  assert.equal(body.truncated.total, 500)
  assert.equal(body.truncated.returned, body.data.length)
  assert.ok(body.data.length > 0 && body.data.every((vm: { uuid?: string }) => typeof vm.uuid === 'string'))

  const slim = (await call('run_api', { query: '/VirDomain', fields: ['uuid', 'name', 'state'] })).json()
  assert.ok(slim.data.length > body.data.length)
})

test('simulator: every fault mode is answered in our error shape and the server stays up', async (t) => {
  const { sim } = await simulator(t)
  const { app, call } = await appFor(t, clientFor(t, configFor(sim, { timeoutMs: 400 })))
  assert.equal((await call('run_api', { query: '/Cluster' })).statusCode, 200)

  const cases: Array<{ fault: Parameters<RunningSimulator['faults']['set']>[0], status: number, code: string }> = [
    { fault: { errorRate: 1, errorStatus: 500 }, status: 502, code: 'SCALE_API_ERROR' },
    { fault: { errorRate: 1, errorStatus: 503 }, status: 502, code: 'SCALE_API_ERROR' },
    { fault: { errorRate: 1, errorStatus: 429 }, status: 429, code: 'SCALE_API_ERROR' },
    { fault: { resetRate: 1 }, status: 502, code: 'SCALE_CONNECTION_RESET' },
    { fault: { nonJsonRate: 1 }, status: 502, code: 'SCALE_API_ERROR' },
    { fault: { latencyMs: 1000 }, status: 504, code: 'SCALE_TIMEOUT' }
  ]
  for (const { fault, status, code } of cases) {
    sim.faults.reset()
    sim.faults.set(fault)
    const res = await call('run_api', { query: '/VirDomain' })
    assert.equal(res.statusCode, status, `${JSON.stringify(fault)}: ${res.body}`)
    const body = res.json()
    assert.equal(body.code, code, JSON.stringify(fault))
    assert.equal(typeof body.message, 'string')
    assert.deepEqual(Object.keys(body).filter((k) => !['code', 'message', 'details'].includes(k)), [])
    if (fault.nonJsonRate === 1) assert.equal(typeof body.details.body, 'string', 'the HTML page is passed on as text')
    if (fault.errorRate === 1) assert.equal(body.details.status, fault.errorStatus)

    sim.faults.reset()
    assert.equal((await call('run_api', { query: '/Cluster' })).statusCode, 200, `recovers after ${JSON.stringify(fault)}`)
  }

  sim.faults.expireSessions()
  assert.equal((await call('run_api', { query: '/Cluster' })).statusCode, 200, 'an expired session is renewed')
  assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
})

test('simulator: partial fault rates still leave every answer in one of our shapes', async (t) => {
  const { sim } = await simulator(t)
  // No fault here makes a call wait, so no deadline may end one: the 40 calls, the simulator and the app share one
  // event loop, and on a loaded machine a 2 s deadline (and its 666 ms connect cap) measured the machine, not the client.
  const { call } = await appFor(t, clientFor(t, configFor(sim, { timeoutMs: 600_000 })))
  sim.faults.set({ errorRate: 0.2, resetRate: 0.2, nonJsonRate: 0.2, latencyMs: 5 })
  const results = await Promise.all(Array.from({ length: 40 }, async () => await call('run_api', { query: '/VirDomain', fields: ['uuid'] })))
  for (const res of results) {
    const body = res.json()
    if (res.statusCode === 200) assert.equal(body.ok, true)
    else assert.match(body.code, /^SCALE_(API_ERROR|CONNECTION_RESET|AUTH_FAILED)$/, res.body)
  }
  assert.ok(results.some((r) => r.statusCode === 200))
  assert.ok(results.some((r) => r.statusCode !== 200))
})
