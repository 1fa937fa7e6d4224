import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createSimClient, simFetch, startTestSimulator } from '../simulator-helper.js'

test('faults are off by default', async (t) => {
  const sim = await startTestSimulator(t)
  assert.deepEqual(sim.faults.get(), { latencyMs: 0, errorRate: 0, resetRate: 0, nonJsonRate: 0 })
})

test('latencyMs delays every answer by at least that long', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  sim.faults.set({ latencyMs: 250 })
  const started = performance.now()
  const res = await client.call('GET', '/Cluster')
  assert.equal(res.status, 200)
  assert.ok(performance.now() - started >= 240, 'the answer cannot arrive before the added latency')
})

test('errorRate 1 answers every call with a 500 or 503 and a JSON error body', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  sim.faults.set({ errorRate: 1 })
  const statuses = new Set<number>()
  for (let i = 0; i < 20; i++) {
    const res = await client.call('GET', '/VirDomain')
    statuses.add(res.status)
    assert.ok(res.status === 500 || res.status === 503)
    assert.equal(typeof (res.json as { error: string }).error, 'string')
  }
  assert.deepEqual([...statuses].sort(), [500, 503], 'both kinds of server error appear')
  sim.faults.set({ errorStatus: 503 })
  assert.equal((await client.call('GET', '/VirDomain')).status, 503)
  assert.equal((await client.login()).status, 503, 'login is not spared')
})

test('a partial errorRate fails some calls and lets the others through', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  sim.faults.set({ errorRate: 0.5 })
  let failed = 0
  for (let i = 0; i < 60; i++) if ((await client.call('GET', '/Cluster')).status !== 200) failed++
  assert.ok(failed > 0 && failed < 60, `${failed} of 60 failed`)
})

test('resetRate 1 destroys the connection without an answer', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  sim.faults.set({ resetRate: 1 })
  await assert.rejects(client.call('GET', '/VirDomain'), (err: Error & { code?: string }) => {
    assert.match(String(err.code ?? err.message), /UND_ERR_SOCKET|ECONNRESET|socket/i)
    return true
  })
  sim.faults.reset()
  assert.equal((await client.call('GET', '/VirDomain')).status, 200, 'the simulator keeps serving after resets')
})

test('nonJsonRate 1 answers with an HTML error page', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  sim.faults.set({ nonJsonRate: 1 })
  const res = await client.call('GET', '/VirDomain')
  assert.equal(res.status, 502)
  assert.match(String(res.headers['content-type']), /text\/html/)
  assert.equal(res.json, undefined)
  assert.match(res.text, /<html>/)
  sim.faults.set({ nonJsonStatus: 200 })
  const ok = await client.call('GET', '/VirDomain')
  assert.equal(ok.status, 200)
  assert.equal(ok.json, undefined, 'a 200 with a body that is not JSON')
})

test('expireSessions ends every session at once', async (t) => {
  const sim = await startTestSimulator(t)
  const a = await simFetch(t, sim)
  const b = await simFetch(t, sim)
  sim.faults.expireSessions()
  assert.equal((await a.call('GET', '/Cluster')).status, 401)
  assert.equal((await b.call('GET', '/Cluster')).status, 401)
  await a.login()
  assert.equal((await a.call('GET', '/Cluster')).status, 200)
})

test('reset switches every fault off', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  sim.faults.set({ errorRate: 1, nonJsonRate: 1, latencyMs: 5 })
  sim.faults.reset()
  assert.equal((await client.call('GET', '/Cluster')).status, 200)
})

test('bad fault settings are refused', async (t) => {
  const sim = await startTestSimulator(t)
  assert.throws(() => sim.faults.set({ errorRate: 2 }), /errorRate/)
  assert.throws(() => sim.faults.set({ latencyMs: -1 }), /latencyMs/)
  assert.throws(() => sim.faults.set({ errorStatus: 200 }), /errorStatus/)
})

test('the control API needs the simulator credentials over HTTP Basic', async (t) => {
  const sim = await startTestSimulator(t)
  const client = createSimClient(t, sim)
  const none = await client.raw('POST', '/__simulator/faults', { errorRate: 1 })
  assert.equal(none.status, 401)
  assert.match(String(none.headers['www-authenticate']), /^Basic /)
  const wrong = await client.raw('POST', '/__simulator/faults', { errorRate: 1 }, { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` })
  assert.equal(wrong.status, 401)
  assert.equal(sim.faults.get().errorRate, 0)
})

test('faults can be switched over HTTP and are not applied to the control API itself', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const basic = { authorization: `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}` }
  const set = await client.raw('POST', '/__simulator/faults', { errorRate: 1, errorStatus: 503, latencyMs: 1 }, basic)
  assert.equal(set.status, 200)
  assert.deepEqual(set.json, { latencyMs: 1, errorRate: 1, resetRate: 0, nonJsonRate: 0, errorStatus: 503 })
  assert.equal((await client.call('GET', '/Cluster')).status, 503)
  assert.equal((await client.raw('GET', '/__simulator/faults', undefined, basic)).status, 200)
  const info = await client.raw('GET', '/__simulator', undefined, basic)
  assert.equal((info.json as { vms: number }).vms, 12)
  assert.equal((await client.raw('POST', '/__simulator/faults', { errorRate: 7 }, basic)).status, 400)
  const cleared = await client.raw('DELETE', '/__simulator/faults', undefined, basic)
  assert.deepEqual(cleared.json, { latencyMs: 0, errorRate: 0, resetRate: 0, nonJsonRate: 0 })
  assert.equal((await client.call('GET', '/Cluster')).status, 200)
  const expired = await client.raw('POST', '/__simulator/expire-sessions', undefined, basic)
  assert.equal(expired.status, 200)
  assert.equal((expired.json as { expired: number }).expired, 1)
  assert.equal((await client.call('GET', '/Cluster')).status, 401)
})
