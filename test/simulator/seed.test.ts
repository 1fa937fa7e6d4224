import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRng } from '../../src/simulator/prng.js'
import { seedState } from '../../src/simulator/seed.js'
import type { VmRecord } from '../../src/simulator/index.js'
import { simFetch, startTestSimulator } from '../simulator-helper.js'

function snapshotOf (state: ReturnType<typeof seedState>): string {
  return JSON.stringify([...state.collections].map(([name, map]) => [name, [...map.values()]]))
}

test('the random source is deterministic and its UUIDs are well formed', () => {
  const a = createRng(42)
  const b = createRng(42)
  const c = createRng(43)
  const seqA = Array.from({ length: 20 }, () => a.next())
  assert.deepEqual(seqA, Array.from({ length: 20 }, () => b.next()))
  assert.notDeepEqual(seqA, Array.from({ length: 20 }, () => c.next()))
  assert.ok(seqA.every((x) => x >= 0 && x < 1))
  for (let i = 0; i < 50; i++) assert.match(a.uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  const ints = Array.from({ length: 500 }, () => a.int(3, 5))
  assert.deepEqual([...new Set(ints)].sort(), [3, 4, 5])
})

test('two starts with the same seed serve identical data; another seed differs', async (t) => {
  const one = await startTestSimulator(t, { seed: 7 })
  const two = await startTestSimulator(t, { seed: 7 })
  const three = await startTestSimulator(t, { seed: 8 })
  const c1 = await simFetch(t, one)
  const c2 = await simFetch(t, two)
  const c3 = await simFetch(t, three)
  for (const path of ['/VirDomain', '/VirDomainSnapshot', '/Node', '/User', '/Condition', '/ISO', '/Drive']) {
    const a = (await c1.call('GET', path)).text
    assert.equal(a, (await c2.call('GET', path)).text, path)
    assert.notEqual(a, (await c3.call('GET', path)).text, path)
  }
  assert.equal(snapshotOf(seedState({ seed: 1, vms: 50, username: 'admin' })), snapshotOf(seedState({ seed: 1, vms: 50, username: 'admin' })))
})

test('the default cluster is small and realistic', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const count = async (path: string): Promise<number> => ((await client.call('GET', path)).json as unknown[]).length
  assert.equal(await count('/Node'), 3)
  assert.equal(await count('/Cluster'), 1)
  assert.equal(await count('/VirDomain'), 12)
  assert.ok(await count('/Drive') >= 3)
  assert.ok(await count('/VirDomainSnapshot') > 0)
  assert.ok(await count('/VirDomainSnapshotSchedule') > 0)
  assert.ok(await count('/Condition') >= 2)
  assert.ok(await count('/User') >= 1)
  assert.ok(await count('/Role') >= 2)
  assert.ok(await count('/ISO') >= 1)
  for (const path of ['/TimeSource', '/TimeZone', '/DNSConfig']) assert.equal(await count(path), 1, path)
  const vms = (await client.call('GET', '/VirDomain')).json as VmRecord[]
  assert.ok(new Set(vms.map((v) => v.operatingSystem)).size > 1, 'mixed operating systems')
  assert.ok(vms.some((v) => v.tags.includes(',')), 'some VMs carry several tags')
  assert.ok(vms.some((v) => v.snapshotScheduleUUID !== ''), 'some VMs follow a snapshot schedule')
  for (const vm of vms) {
    for (const snapUUID of vm.snapUUIDs) assert.ok(sim.state.snapshots.get(snapUUID)?.domainUUID === vm.uuid, 'snapshot references are consistent')
    if (vm.nodeUUID !== '') assert.ok(sim.state.nodes.has(vm.nodeUUID))
  }
})

test('vms: 2000 seeds a large cluster that lists and answers normally', async (t) => {
  const sim = await startTestSimulator(t, { vms: 2000 })
  const client = await simFetch(t, sim)
  const res = await client.call('GET', '/VirDomain')
  assert.equal(res.status, 200)
  const vms = res.json as VmRecord[]
  assert.equal(vms.length, 2000)
  assert.equal(new Set(vms.map((v) => v.uuid)).size, 2000, 'unique UUIDs')
  assert.equal(new Set(vms.map((v) => v.name)).size, 2000, 'unique names')
  const macs = vms.flatMap((v) => v.netDevs.map((n) => n.macAddress))
  assert.equal(new Set(macs).size, macs.length, 'unique MAC addresses')
  const stats = (await client.call('GET', '/VirDomainStats')).json as unknown[]
  assert.equal(stats.length, 2000)
  const last = vms.at(-1) as VmRecord
  assert.equal(((await client.call('GET', `/VirDomain/${last.uuid}`)).json as VmRecord[])[0]?.name, last.name)
})

test('vms: 0 gives an empty but working cluster, and bad sizes are refused', async (t) => {
  const sim = await startTestSimulator(t, { vms: 0 })
  const client = await simFetch(t, sim)
  assert.deepEqual((await client.call('GET', '/VirDomain')).json, [])
  assert.equal(((await client.call('GET', '/Node')).json as unknown[]).length, 3)
  await assert.rejects(startTestSimulator(t, { vms: -1 }), /vms/)
  await assert.rejects(startTestSimulator(t, { vms: 1.5 }), /vms/)
})
