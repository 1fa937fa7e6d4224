import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pino } from 'pino'
import { isAppError } from '../../src/errors/app-error.js'
import { RedisGateStore } from '../../src/gate/redis-store.js'
import { MemoryGateStore, type GateStore } from '../../src/gate/store.js'
import { HyperCoreClient } from '../../src/scale/client.js'
import { clusterConfigFor } from '../../src/simulator/index.js'
import { auth, buildTestApp, testConfig } from '../helper.js'
import { needBinary, startTestRedis } from '../redis-helper.js'
import { startTestSimulator } from '../simulator-helper.js'

const silent = pino({ level: 'silent' })
const skip = needBinary('redis-server')

// The same contract, asked of both stores: what the gate relies on.
async function contract (store: GateStore, key: (k: string) => string): Promise<void> {
  assert.equal(await store.useOnce(key('once'), 60_000), true)
  assert.equal(await store.useOnce(key('once'), 60_000), false)
  await store.set(key('rec'), { status: 'pending', n: 1 }, 60_000)
  assert.deepEqual(await store.get(key('rec')), { status: 'pending', n: 1 })
  assert.equal(await store.get(key('absent')), undefined)
  assert.equal(await store.replaceIf<{ status: string }>(key('rec'), (c) => c.status === 'pending', { status: 'approved' }), true)
  assert.equal(await store.replaceIf<{ status: string }>(key('rec'), (c) => c.status === 'pending', { status: 'rejected' }), false)
  assert.deepEqual(await store.get(key('rec')), { status: 'approved' })
  assert.equal(await store.replaceIf(key('absent'), () => true, 1), false)
  const first = await store.increment(key('count'), 60_000)
  const second = await store.increment(key('count'), 60_000)
  assert.deepEqual([first.count, second.count], [1, 2])
  assert.ok(second.resetInMs > 0 && second.resetInMs <= 60_000)
}

test('the memory store keeps the contract', async () => {
  await contract(new MemoryGateStore(), (k) => k)
})

test('the Valkey/Redis store keeps the same contract, single use holds under a race, and keys carry the prefix', { skip }, async (t) => {
  const redis = await startTestRedis(t)
  const stores = [0, 1, 2].map(() => new RedisGateStore({ url: redis.url, prefix: 'test:', commandTimeoutMs: 1000, log: silent }))
  t.after(async () => { await Promise.all(stores.map(async (s) => { await s.close() })) })
  const [a, b] = stores as [RedisGateStore, RedisGateStore, RedisGateStore]
  assert.equal(await a.ready(5000), true)
  await contract(a, (k) => `contract:${k}`)
  // Three replicas use one token at the same moment, ten times over: exactly one wins each time.
  for (let round = 0; round < 10; round++) {
    const wins = await Promise.all(stores.flatMap((s) => [s.useOnce(`race:${round}`, 60_000), s.useOnce(`race:${round}`, 60_000)]))
    assert.equal(wins.filter(Boolean).length, 1)
  }
  // Two replicas decide one approval at once: one decision holds.
  await a.set('approval:x', { status: 'pending' }, 60_000)
  const decided = await Promise.all([a, b].map(async (s, i) => await s.replaceIf<{ status: string }>('approval:x', (c) => c.status === 'pending', { status: i === 0 ? 'approved' : 'rejected' })))
  assert.equal(decided.filter(Boolean).length, 1)
  // A rate counter counted on two replicas is one counter.
  await a.increment('rate:alice', 60_000)
  assert.equal((await b.increment('rate:alice', 60_000)).count, 2)
})

test('the Valkey/Redis store down: every command is STORE_UNAVAILABLE at once (fail closed), and it recovers by itself', { skip }, async (t) => {
  const redis = await startTestRedis(t)
  const store = new RedisGateStore({ url: redis.url, prefix: 'test:', commandTimeoutMs: 500, log: silent })
  t.after(() => store.close())
  assert.equal(await store.ready(5000), true)
  assert.equal(await store.useOnce('before', 60_000), true)
  await redis.kill()
  for (const attempt of [async () => await store.useOnce('during', 60_000), async () => await store.get('before'), async () => await store.increment('rate:x', 1000)]) {
    await assert.rejects(attempt, (err: unknown) => isAppError(err) && err.code === 'STORE_UNAVAILABLE' && !/127\.0\.0\.1/.test(err.message))
  }
  assert.equal(store.reachable, false)
  await redis.start()
  assert.equal(await store.ready(10_000), true, 'reconnected without a restart')
  assert.equal(await store.useOnce('after', 60_000), true)
})

test('a store back before any reconnection failed still tells the outage and the return, once each; closing tells nothing', { skip }, async (t) => {
  const redis = await startTestRedis(t)
  const said: string[] = []
  const waiting: Array<{ text: string, resolve: () => void }> = []
  const heard = (line: string): void => {
    const msg = (JSON.parse(line) as { msg: string }).msg
    said.push(msg)
    for (const w of [...waiting]) if (msg.includes(w.text)) { waiting.splice(waiting.indexOf(w), 1); w.resolve() }
  }
  const log = pino({ level: 'info' }, { write: heard })
  const told = async (text: string): Promise<void> => { await new Promise<void>((resolve) => { if (said.some((m) => m.includes(text))) resolve(); else waiting.push({ text, resolve }) }) }
  const store = new RedisGateStore({ url: redis.url, prefix: 'test:', commandTimeoutMs: 500, log })
  assert.equal(await store.ready(5000), true)
  // Killed and started again at once: the first reconnection (100 ms later) finds it up, so no attempt ever fails.
  await redis.kill()
  await redis.start()
  await told('is reachable again')
  assert.equal(said.filter((m) => m.includes('cannot be reached')).length, 1)
  assert.equal(said.filter((m) => m.includes('is reachable again')).length, 1)
  await store.close()
  assert.equal(said.filter((m) => m.includes('cannot be reached')).length, 1, 'a deliberate close is no outage')
})

test('a confirm token issued before the shared store lost its memory is refused, not run twice', { skip }, async (t) => {
  const redis = await startTestRedis(t)
  const store = new RedisGateStore({ url: redis.url, prefix: 'test:', commandTimeoutMs: 500, log: silent })
  t.after(() => store.close())
  assert.equal(await store.ready(5000), true)
  const sim = await startTestSimulator(t)
  const client = new HyperCoreClient(clusterConfigFor(sim, { timeoutMs: 10_000 }))
  t.after(() => client.close())
  const app = await buildTestApp(t, testConfig(), { cluster: client, store })
  const vm = [...sim.state.vms.values()].find((v) => v.state === 'RUNNING')
  const stop = async (confirm?: string): Promise<any> => (await app.inject({ method: 'POST', url: '/run_api', headers: auth, payload: { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: vm?.uuid, actionType: 'STOP' }], ...(confirm === undefined ? {} : { confirm }) } })).json()
  const issued = (await stop()).details.confirmToken as string
  await redis.kill()
  await redis.start()
  assert.equal(await store.ready(10_000), true)
  const refused = await stop(issued)
  assert.equal(refused.code, 'CONFIRMATION_INVALID')
  assert.equal(refused.details.reason, 'store-reset')
  const fresh = (await stop()).details.confirmToken as string
  assert.equal((await stop(fresh)).ok, true)
  assert.equal((await stop(fresh)).details.reason, 'used')
})
