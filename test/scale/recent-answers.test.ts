import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { WaitClock } from '../../src/scale/client.js'
import { testClient, testClusterConfig } from '../helper.js'
import { startFakeCluster, type FakeCluster } from './fake-cluster.js'

/** A fake cluster with a /Node list whose reads are counted, and a client on a clock the test moves. */
async function setup (t: TestContext): Promise<{ fake: FakeCluster, client: ReturnType<typeof testClient>, reads: () => number, advance: (ms: number) => void, fail: (on: boolean) => void }> {
  const fake = await startFakeCluster(t, { cert: null })
  let failing = false
  fake.route('GET', '/rest/v1/Node', () => failing ? { status: 500, body: { error: 'busy' } } : { body: [{ uuid: 'n1', lanIP: '127.0.0.21', password: 'node-secret' }] })
  fake.route('POST', '/rest/v1/VirDomain/action', () => ({ body: { taskTag: '7', createdUUID: '' } }))
  let now = Date.parse('2026-12-07T10:00:00Z')
  const clock: WaitClock = { now: () => now, sleep: async () => {} }
  const client = testClient(t, testClusterConfig(fake), { clock })
  return {
    fake,
    client,
    reads: () => fake.requests.filter((r) => r.method === 'GET' && r.url === '/rest/v1/Node').length,
    advance: (ms) => { now += ms },
    fail: (on) => { failing = on }
  }
}

test('a GET with maxAgeMs is answered from memory while young enough; each caller gets its own copy', async (t) => {
  const { client, reads, advance } = await setup(t)
  const first = await client.call('GET', '/Node', { maxAgeMs: 10_000 })
  ;(first.data as Array<Record<string, unknown>>)[0]!.lanIP = 'changed by a caller'
  advance(10_000)
  const second = await client.call('GET', '/Node', { maxAgeMs: 10_000 })
  assert.equal(reads(), 1)
  assert.deepEqual(second.data, [{ uuid: 'n1', lanIP: '127.0.0.21', password: 'node-secret' }])
  assert.equal(second.status, 200)

  advance(1)
  await client.call('GET', '/Node', { maxAgeMs: 10_000 })
  assert.equal(reads(), 2, 'older than maxAgeMs: read again')
  // A caller that asks for a fresher answer than the one kept gets one.
  advance(500)
  await client.call('GET', '/Node', { maxAgeMs: 100 })
  assert.equal(reads(), 3)
  // Without maxAgeMs every GET goes to the cluster.
  await client.call('GET', '/Node')
  await client.call('GET', '/Node')
  assert.equal(reads(), 5)
})

test('concurrent callers share one read; a change forgets what was kept; a failed read is not kept', async (t) => {
  const { client, reads, fail } = await setup(t)
  const answers = await Promise.all(Array.from({ length: 5 }, async () => await client.call('GET', '/Node', { maxAgeMs: 10_000 })))
  assert.equal(reads(), 1)
  assert.equal(new Set(answers.map((a) => a.data)).size, 5, 'five copies, not one shared object')

  await client.call('POST', '/VirDomain/action', { body: [{ virDomainUUID: 'v', actionType: 'START' }] })
  await client.call('GET', '/Node', { maxAgeMs: 10_000 })
  assert.equal(reads(), 2, 'the change made the kept list stale')

  await client.call('POST', '/VirDomain/action', { body: [{ virDomainUUID: 'v', actionType: 'STOP' }] })
  fail(true)
  await assert.rejects(client.call('GET', '/Node', { maxAgeMs: 10_000 }), { code: 'SCALE_API_ERROR' })
  fail(false)
  const after = await client.call('GET', '/Node', { maxAgeMs: 10_000 })
  assert.equal(reads(), 4, 'the failure was not kept')
  assert.equal((after.data as unknown[]).length, 1)
})
