import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toolSetup } from './setup.js'

const ROW_FIELDS = ['uuid', 'name', 'state', 'node', 'cpus', 'memoryGiB', 'diskGiB', 'tags', 'ips']

test('list_vms answers compact rows sorted by name, sizes in GiB, with total', async (t) => {
  const s = await toolSetup(t)
  const body = await s.ok('list_vms', {}, 'reader')
  assert.equal(body.total, 12)
  assert.equal(body.returned, 12)
  assert.equal(body.notes, undefined)
  const names = body.vms.map((v: { name: string }) => v.name)
  assert.deepEqual(names, [...names].sort((a: string, b: string) => a.localeCompare(b, 'en', { numeric: true })))
  for (const row of body.vms) assert.deepEqual(Object.keys(row), ROW_FIELDS)
  const sql = body.vms.find((v: { name: string }) => v.name === 'sql01')
  const node = s.sim.state.nodes.get(s.vm('sql01').nodeUUID)?.lanIP
  assert.deepEqual({ ...sql, uuid: undefined, ips: undefined }, { uuid: undefined, name: 'sql01', state: 'RUNNING', node, cpus: 8, memoryGiB: 32, diskGiB: 800, tags: ['prod', 'db'], ips: undefined })
  assert.equal(sql.ips.length, 1)
  assert.equal(body.vms.find((v: { name: string }) => v.name === 'dev-ubuntu').node, '', 'a VM that is off runs nowhere')
})

test('list_vms filters by part of the name, tag, state and node, any case; total counts every match', async (t) => {
  const s = await toolSetup(t)
  const names = async (input: Record<string, unknown>): Promise<string[]> => (await s.ok('list_vms', input)).vms.map((v: { name: string }) => v.name)
  assert.deepEqual(await names({ name: 'WEB' }), ['web01', 'web02'])
  assert.deepEqual(await names({ tag: 'INFRA' }), ['dc01', 'dc02'])
  assert.deepEqual(await names({ state: 'shutoff' }), ['dev-ubuntu', 'win11-test'])
  assert.deepEqual(await names({ tag: 'prod', state: 'CRASHED' }), ['k8s-worker-03'])
  const node = s.sim.state.nodes.get(s.vm('dc01').nodeUUID)
  const onNode = [...s.sim.state.vms.values()].filter((v) => v.nodeUUID === node?.uuid).map((v) => v.name).sort()
  assert.deepEqual((await names({ node: node?.lanIP })).sort(), onNode)
  assert.deepEqual((await names({ node: node?.uuid })).sort(), onNode)
  const limited = await s.ok('list_vms', { tag: 'prod', limit: 3 })
  assert.equal(limited.returned, 3)
  assert.equal(limited.total, [...s.sim.state.vms.values()].filter((v) => v.tags.split(',').includes('prod')).length)
  assert.match(limited.notes[0], /first 3 of/)
  const unknown = await s.call('list_vms', { node: '127.0.0.99' })
  assert.equal(unknown.statusCode, 404)
  assert.equal(unknown.json().code, 'NAME_NOT_FOUND')
})

test('on 2,000 VMs list_vms answers 50 rows by default, and a large limit stays within ANSWER_MAX_BYTES with a note', async (t) => {
  const s = await toolSetup(t, { sim: { vms: 2000 } })
  const first = await s.call('list_vms', {})
  assert.equal(first.json().returned, 50)
  assert.equal(first.json().total, 2000)
  assert.ok(Buffer.byteLength(first.body) <= 16_384)
  const many = await s.call('list_vms', { limit: 500 })
  assert.ok(Buffer.byteLength(many.body) <= 16_384, `${Buffer.byteLength(many.body)} bytes`)
  assert.ok(many.json().returned > 50 && many.json().returned < 500, String(many.json().returned))
  assert.match(many.json().notes[0], /would not fit in one answer/)
})

test('get_vm shows disks, NICs, boot order, machine type, snapshots and schedule readably', async (t) => {
  const s = await toolSetup(t)
  const sql = s.vm('sql01')
  const body = await s.ok('get_vm', { vm: 'sql01' }, 'reader')
  assert.equal(body.node, s.sim.state.nodes.get(sql.nodeUUID)?.lanIP)
  assert.equal(body.machineType, 'scale-8.10 (uefi)')
  assert.equal(body.memoryGiB, 32)
  assert.deepEqual(body.disks.map((d: { slot: number, type: string, size: string }) => `${d.type} ${d.slot} ${d.size}`), [
    'VIRTIO_DISK 0 100 GiB', 'VIRTIO_DISK 1 500 GiB', 'VIRTIO_DISK 2 200 GiB', 'NVRAM 0 528 KiB'
  ])
  const nic = sql.netDevs[0]
  assert.deepEqual(body.nics, [{ vlan: 0, mac: nic?.macAddress, type: 'VIRTIO', connected: true, ips: nic?.ipv4Addresses, uuid: nic?.uuid }])
  assert.deepEqual(body.bootOrder, ['VIRTIO_DISK slot 0'])
  assert.equal(body.snapshots, sql.snapUUIDs.length)
  assert.equal(body.snapshotSchedule, 'hourly-24h-weekly-4w')

  const dev = await s.ok('get_vm', { vm: 'dev-ubuntu' })
  assert.equal(dev.node, '')
  assert.deepEqual(dev.bootOrder, ['VIRTIO_DISK slot 0', 'IDE_CDROM slot 0'])
  assert.ok(dev.disks.some((d: { type: string, size: string }) => d.type === 'IDE_CDROM' && /ubuntu-24\.04/.test(d.size)), JSON.stringify(dev.disks))
  assert.equal(dev.snapshotSchedule, '')
})

test('vm_stats answers in units people read, moves with the cluster clock, and says a stopped VM uses nothing', async (t) => {
  const s = await toolSetup(t)
  const first = await s.ok('vm_stats', { vm: 'sql01' }, 'reader')
  assert.match(first.cpu, /^\d+(\.\d)?%$/)
  assert.equal(first.memory, '32 GiB, all held while it runs')
  assert.match(first.diskRead, /^\d+(\.\d)? (B|kB|MB|GB)\/s, \d+ IOPS$/)
  assert.match(first.networkIn, /^\d+(\.\d)? (bit|kbit|Mbit|Gbit)\/s$/)
  assert.equal(first.sampledAt, new Date(s.clock.now()).toISOString())
  s.clock.advance(45_000)
  const later = await s.ok('vm_stats', { vm: 'sql01' })
  assert.notDeepEqual([later.cpu, later.networkIn, later.diskRead], [first.cpu, first.networkIn, first.diskRead])
  const off = await s.ok('vm_stats', { vm: 'win11-test' })
  assert.equal(off.cpu, '0%')
  assert.equal(off.networkIn, '0 bit/s')
  assert.equal(off.memory, 'none (8 GiB when it runs)')
  assert.match(off.notes[0], /SHUTOFF/)
})
