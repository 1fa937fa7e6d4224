import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { HyperCoreClient, type WaitClock } from '../../src/scale/client.js'
import { clusterConfigFor, type SimulatorOptions } from '../../src/simulator/index.js'
import { auth, buildTestApp, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'

// Task waits on a clock that jumps: a 20-second wait takes no real time.
function jumpingClock (): WaitClock {
  let now = Date.parse('2026-11-25T12:00:00Z')
  return { now: () => now, sleep: async (ms) => { now += ms } }
}

async function setup (t: TestContext, sim: SimulatorOptions = {}, env: Record<string, string> = {}) {
  const simulator = await startTestSimulator(t, sim)
  const client = new HyperCoreClient(clusterConfigFor(simulator), { clock: jumpingClock() })
  t.after(() => client.close())
  const app = await buildTestApp(t, testConfig({ SCALE_MODE: 'full', ...env }), { cluster: client, clusterInfo: { mode: 'simulator', cluster: client.host } })
  const call = async (tool: string, body: unknown): Promise<{ statusCode: number, body: string, json: () => any }> =>
    await app.inject({ method: 'POST', url: `/${tool}`, headers: auth, payload: body as Record<string, unknown> })
  return { call }
}

test('every optional argument sent as null is taken as not given, and "get" as GET', async (t) => {
  const { call } = await setup(t)
  const res = await call('run_api', { query: '/VirDomain', method: 'get', payload: null, params: null, wait: null, maxItems: null, fields: null })
  assert.equal(res.statusCode, 200, res.body)
  assert.equal(res.json().ok, true)
})

test('a list of 2,000 VMs answers within ANSWER_MAX_BYTES, envelope included, with truncated and a hint', async (t) => {
  const { call } = await setup(t, { vms: 2000 })
  const res = await call('run_api', { query: '/VirDomain' })
  assert.equal(res.statusCode, 200)
  assert.ok(Buffer.byteLength(res.body) <= 16_384, `${Buffer.byteLength(res.body)} bytes`)
  assert.equal(res.json().truncated.total, 2000)
  assert.ok(res.json().notes.some((n: string) => /fields/.test(n) && /maxItems/.test(n)), JSON.stringify(res.json().notes))
  const slim = await call('run_api', { query: '/VirDomain', fields: ['uuid', 'name', 'state'], maxItems: 200 })
  assert.ok(Buffer.byteLength(slim.body) <= 16_384)
  assert.ok(slim.json().data.length > 100, 'with fields many more records fit')
  const small = await setup(t, {}, { ANSWER_MAX_BYTES: '4096' })
  assert.ok(Buffer.byteLength((await small.call('run_api', { query: '/VirDomain' })).body) <= 4096, 'the budget is a setting')
})

test('a default wait ends before hosts give up: a 70-second task comes back RUNNING with its taskTag and how to follow it', async (t) => {
  const { call } = await setup(t, { taskDurationMs: 70_000 })
  const vms = await call('run_api', { query: '/VirDomain', fields: ['uuid'] })
  const res = await call('run_api', { query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: vms.json().data[0].uuid, label: 'slow' }, wait: true })
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json()
  assert.match(body.taskTag, /\S/)
  assert.ok(['QUEUED', 'RUNNING'].includes(body.task.state), body.task.state)
  assert.ok(body.notes.some((n: string) => n.includes('after 20 s') && n.includes(`GET /TaskTag/${String(body.taskTag)}`) && /do not send the change again/.test(n)), JSON.stringify(body.notes))
})
