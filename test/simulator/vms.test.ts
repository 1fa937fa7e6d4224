import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ManualClock, type BlockDeviceRecord, type NetDeviceRecord, type SnapshotRecord, type TaskTagStatus, type VmRecord } from '../../src/simulator/index.js'
import { simFetch, startTestSimulator, type SimClient, type SimResponse } from '../simulator-helper.js'

const GIB = 1024 ** 3

/** Asserts a 200 task answer and waits for the task; returns the final status and the created UUID. */
async function settled (client: SimClient, res: SimResponse): Promise<{ task: TaskTagStatus, createdUUID: string }> {
  assert.equal(res.status, 200, res.text)
  const { taskTag, createdUUID } = res.json as { taskTag: string, createdUUID: string }
  return { task: await client.waitForTask(taskTag), createdUUID }
}

async function getOne<T> (client: SimClient, path: string): Promise<T> {
  const res = await client.call('GET', path)
  assert.equal(res.status, 200, res.text)
  const list = res.json as T[]
  assert.ok(Array.isArray(list))
  assert.equal(list.length, 1)
  return list[0] as T
}

function firstVm (vms: Map<string, VmRecord>, state: string): VmRecord {
  return [...vms.values()].find((v) => v.state === state) as VmRecord
}

test('GET /VirDomain lists the seeded VMs with their devices; one VM comes back as an array of one', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const list = (await client.call('GET', '/VirDomain')).json as VmRecord[]
  assert.equal(list.length, 12)
  const states = new Set(list.map((vm) => vm.state))
  for (const s of ['RUNNING', 'SHUTOFF', 'PAUSED', 'CRASHED']) assert.ok(states.has(s as VmRecord['state']), `a ${s} VM is seeded`)
  for (const vm of list) {
    assert.ok(vm.blockDevs.length > 0, `${vm.name} has disks`)
    assert.ok(vm.netDevs.length > 0, `${vm.name} has a NIC`)
    for (const dev of [...vm.blockDevs, ...vm.netDevs]) assert.equal(dev.virDomainUUID, vm.uuid)
    assert.equal(typeof vm.tags, 'string')
    if (vm.state === 'RUNNING') assert.ok(vm.nodeUUID !== '')
  }
  const one = await getOne<VmRecord>(client, `/VirDomain/${(list[3] as VmRecord).uuid}`)
  assert.deepEqual(one, list[3])
})

test('a GET of an unknown VM answers 404 with an empty list (as the collection reads it); edits and deletes 404 with an error', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const id = '11111111-2222-4333-8444-555555555555'
  for (const path of [`/VirDomain/${id}`, `/VirDomainStats/${id}`, `/VirDomainBlockDevice/${id}`, `/User/${id}`]) {
    const read = await client.call('GET', path)
    assert.equal(read.status, 404, path)
    assert.deepEqual(read.json, [], path)
  }
  for (const [method, body] of [['POST', { name: 'x' }], ['PATCH', { name: 'x' }], ['DELETE']] as Array<[string, unknown?]>) {
    const res = await client.call(method, `/VirDomain/${id}`, body)
    assert.equal(res.status, 404, method)
    assert.match((res.json as { error: string }).error, new RegExp(id))
  }
})

test('creating a VM runs a task; the VM, its disks and NICs appear when it completes', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const iso = [...sim.state.collection('ISO').values()][0] as unknown as { path: string, name: string }
  const res = await client.call('POST', '/VirDomain', {
    dom: {
      name: 'new-vm',
      description: 'made by a test',
      mem: 4 * GIB,
      numVCPU: 2,
      tags: 'test,new',
      blockDevs: [{ type: 'VIRTIO_DISK', capacity: 20 * GIB }, { type: 'IDE_CDROM', path: iso.path }],
      netDevs: [{ type: 'VIRTIO', vlan: 10 }]
    },
    options: { attachGuestToolsISO: false, machineTypeKeyword: 'uefi' }
  })
  const { task, createdUUID } = await settled(client, res)
  assert.equal(task.state, 'COMPLETE', task.formattedMessage)
  assert.match(createdUUID, /^[0-9a-f-]{36}$/)
  const vm = await getOne<VmRecord>(client, `/VirDomain/${createdUUID}`)
  assert.equal(vm.name, 'new-vm')
  assert.equal(vm.state, 'SHUTOFF')
  assert.equal(vm.mem, 4 * GIB)
  assert.equal(vm.machineType, 'scale-8.10')
  assert.equal(vm.machineTypeKeyword, 'uefi')
  assert.deepEqual(vm.blockDevs.map((d) => d.type).sort(), ['IDE_CDROM', 'NVRAM', 'VIRTIO_DISK'])
  const cdrom = vm.blockDevs.find((d) => d.type === 'IDE_CDROM') as BlockDeviceRecord
  assert.equal(cdrom.name, iso.name)
  assert.equal(vm.netDevs[0]?.vlan, 10)
  assert.match(vm.netDevs[0]?.macAddress ?? '', /^7C:4C:58(:[0-9A-F]{2}){3}$/)
  assert.deepEqual(vm.bootDevices, [vm.blockDevs.find((d) => d.type === 'VIRTIO_DISK')?.uuid])
  const disk = await getOne<BlockDeviceRecord>(client, `/VirDomainBlockDevice/${vm.blockDevs[0]?.uuid}`)
  assert.equal(disk.virDomainUUID, vm.uuid)
  const nic = await getOne<NetDeviceRecord>(client, `/VirDomainNetDevice/${vm.netDevs[0]?.uuid}`)
  assert.equal(nic.virDomainUUID, vm.uuid)
  const mounts = (await getOne<{ mounts: Array<{ vmUUID: string }> }>(client, `/ISO/${iso.path.replace('scribe/', '')}`)).mounts
  assert.ok(mounts.some((m) => m.vmUUID === vm.uuid), 'the ISO lists the VM that mounts it')
})

test('a VM created without a machine type is BIOS with no extra disks (no NVRAM)', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const { task, createdUUID } = await settled(client, await client.call('POST', '/VirDomain', {
    dom: { name: 'min-params', mem: 512 * 1024 * 1024, numVCPU: 2, blockDevs: [], netDevs: [] },
    options: { attachGuestToolsISO: false }
  }))
  assert.equal(task.state, 'COMPLETE', task.formattedMessage)
  const vm = await getOne<VmRecord>(client, `/VirDomain/${createdUUID}`)
  assert.equal(vm.machineType, 'scale-7.2')
  assert.equal(vm.machineTypeKeyword, 'bios')
  assert.deepEqual(vm.blockDevs, [])
  assert.deepEqual(vm.bootDevices, [])
})

test('a VM is not visible before its create task completes', async (t) => {
  const sim = await startTestSimulator(t, { taskDurationMs: 60_000 })
  const client = await simFetch(t, sim)
  const res = await client.call('POST', '/VirDomain', { dom: { name: 'later', mem: GIB, numVCPU: 1 }, options: {} })
  const { createdUUID } = res.json as { createdUUID: string }
  assert.equal((await client.call('GET', `/VirDomain/${createdUUID}`)).status, 404)
  sim.tasks.drain()
  assert.equal((await client.call('GET', `/VirDomain/${createdUUID}`)).status, 200)
})

test('VM create and edit bodies are validated with 400s that name the field', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const vm = firstVm(sim.state.vms, 'SHUTOFF')
  const cases: Array<[string, string, unknown, RegExp]> = [
    ['POST', '/VirDomain', { dom: { name: 'x', mem: 'lots', numVCPU: 1 }, options: {} }, /dom\.mem/],
    ['POST', '/VirDomain', { dom: { name: 'x', mem: GIB, numVCPU: 1 } }, /options/],
    ['POST', '/VirDomain', { dom: { mem: GIB, numVCPU: 1 }, options: {} }, /dom\.name/],
    ['POST', '/VirDomain', { dom: { name: 'x', mem: GIB, numVCPU: 1, blockDevs: [{ type: 'FLOPPY_DISK', capacity: 1 }] }, options: {} }, /type/],
    ['POST', '/VirDomain', { dom: { name: 'x', mem: GIB, numVCPU: 1 }, options: {}, colour: 'red' }, /colour/],
    ['POST', '/VirDomain', { dom: { name: 'x', mem: GIB, numVCPU: 1 }, options: { machineTypeKeyword: 'quantum' } }, /machineTypeKeyword/],
    ['POST', '/VirDomain', 'not json at all', /object|JSON/],
    ['PATCH', `/VirDomain/${vm.uuid}`, { numVCPU: 'two' }, /numVCPU/],
    ['PATCH', `/VirDomain/${vm.uuid}`, { numVCPU: 0 }, /numVCPU/],
    ['PATCH', `/VirDomain/${vm.uuid}`, { bootDevices: ['not-a-device'] }, /bootDevices/],
    ['PATCH', `/VirDomain/${vm.uuid}`, { tags: ['a', 'b'] }, /tags/]
  ]
  for (const [method, path, body, pattern] of cases) {
    const res = await client.call(method, path, body)
    assert.equal(res.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${res.text}`)
    const error = res.json as { error: string }
    assert.match(error.error, pattern, JSON.stringify(body))
  }
  const raw = await client.call('POST', '/VirDomain', undefined, { 'content-type': 'application/json' })
  assert.equal(raw.status, 400, 'an empty body where one is required')
})

test('editing a VM changes it through a task; memory and vCPUs of a running VM are stored for its next boot', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const off = firstVm(sim.state.vms, 'SHUTOFF')
  const on = firstVm(sim.state.vms, 'RUNNING')
  let { task } = await settled(client, await client.call('PATCH', `/VirDomain/${off.uuid}`, { name: 'renamed', mem: 6 * GIB, tags: 'a,b' }))
  assert.equal(task.state, 'COMPLETE')
  const edited = await getOne<VmRecord>(client, `/VirDomain/${off.uuid}`)
  assert.equal(edited.name, 'renamed')
  assert.equal(edited.mem, 6 * GIB)
  assert.equal(edited.tags, 'a,b')
  const mem = on.mem * 2
  const numVCPU = on.numVCPU + 1
  ;({ task } = await settled(client, await client.call('POST', `/VirDomain/${on.uuid}`, { ...structuredClone(on), mem, numVCPU })))
  assert.equal(task.state, 'COMPLETE', task.formattedMessage)
  const stored = await getOne<VmRecord>(client, `/VirDomain/${on.uuid}`)
  assert.equal(stored.mem, mem)
  assert.equal(stored.numVCPU, numVCPU)
  assert.equal(stored.state, 'RUNNING', 'the VM keeps running')
  ;({ task } = await settled(client, await client.call('PATCH', `/VirDomain/${on.uuid}`, { machineType: on.machineType === 'scale-7.2' ? 'scale-8.10' : 'scale-7.2' })))
  assert.equal(task.state, 'ERROR', 'the firmware still needs the VM off')
  assert.match(task.formattedMessage, /machineType.*shut it down/)
  ;({ task } = await settled(client, await client.call('PATCH', `/VirDomain/${on.uuid}`, { description: 'still running' })))
  assert.equal(task.state, 'COMPLETE', 'other fields can change while it runs')
})

test('deleting a VM removes its devices and snapshots; a running VM cannot be deleted', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const on = [...sim.state.vms.values()].find((v) => v.state === 'RUNNING' && v.snapUUIDs.length > 0) as VmRecord
  let { task } = await settled(client, await client.call('DELETE', `/VirDomain/${on.uuid}`))
  assert.equal(task.state, 'ERROR')
  assert.match(task.formattedMessage, /shut it down/)
  ;({ task } = await settled(client, await client.call('POST', '/VirDomain/action', [{ virDomainUUID: on.uuid, actionType: 'STOP' }])))
  assert.equal(task.state, 'COMPLETE')
  const devices = [...on.blockDevs, ...on.netDevs].map((d) => d.uuid)
  const snaps = [...on.snapUUIDs]
  ;({ task } = await settled(client, await client.call('DELETE', `/VirDomain/${on.uuid}`)))
  assert.equal(task.state, 'COMPLETE')
  assert.equal((await client.call('GET', `/VirDomain/${on.uuid}`)).status, 404)
  for (const id of devices) {
    assert.equal(sim.state.blockDevices.has(id) || sim.state.netDevices.has(id), false)
  }
  for (const id of snaps) assert.equal((await client.call('GET', `/VirDomainSnapshot/${id}`)).status, 404)
  const stats = await client.call('GET', `/VirDomainStats/${on.uuid}`)
  assert.equal(stats.status, 404)
})

test('a snapshot copies the VM with one device snapshot per disk and is listed on the VM', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const vm = [...sim.state.vms.values()].find((v) => v.blockDevs.filter((d) => d.type.endsWith('_DISK')).length > 1) as VmRecord
  const before = vm.snapUUIDs.length
  const { task, createdUUID } = await settled(client, await client.call('POST', '/VirDomainSnapshot', { domainUUID: vm.uuid, label: 'before patching', type: 'USER' }))
  assert.equal(task.state, 'COMPLETE')
  const snap = await getOne<SnapshotRecord>(client, `/VirDomainSnapshot/${createdUUID}`)
  assert.equal(snap.domainUUID, vm.uuid)
  assert.equal(snap.label, 'before patching')
  assert.equal(snap.type, 'USER')
  assert.equal(snap.domain.name, vm.name)
  assert.equal(snap.domain.uuid, vm.uuid)
  const disks = vm.blockDevs.filter((d) => d.type !== 'IDE_CDROM')
  assert.equal(snap.deviceSnapshots.length, disks.length)
  assert.equal(new Set(snap.deviceSnapshots.map((d) => d.uuid)).size, disks.length, 'each device snapshot has its own UUID')
  assert.deepEqual(snap.deviceSnapshots.map((d) => d.blockDeviceUUID), disks.map((d) => d.uuid))
  const after = await getOne<VmRecord>(client, `/VirDomain/${vm.uuid}`)
  assert.equal(after.snapUUIDs.length, before + 1)
  assert.ok(after.snapUUIDs.includes(createdUUID))
  assert.equal(snap.domain.snapshotSerialNumber, after.snapshotSerialNumber)

  const del = await settled(client, await client.call('DELETE', `/VirDomainSnapshot/${createdUUID}`))
  assert.equal(del.task.state, 'COMPLETE')
  assert.ok(!(await getOne<VmRecord>(client, `/VirDomain/${vm.uuid}`)).snapUUIDs.includes(createdUUID))
  assert.equal((await client.call('GET', `/VirDomainSnapshot/${createdUUID}`)).status, 404)
})

test('snapshot requests are checked: a VM is required and must exist', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  assert.equal((await client.call('POST', '/VirDomainSnapshot', { label: 'x' })).status, 400)
  assert.equal((await client.call('POST', '/VirDomainSnapshot', { domainUUID: 'nope', label: 'x' })).status, 404)
  assert.equal((await client.call('POST', '/VirDomainSnapshot', { domainUUID: 'nope', label: 5 })).status, 400)
  assert.equal((await client.call('DELETE', '/VirDomainSnapshot/nope')).status, 404)
})

test('a clone is a new VM with new device UUIDs and MACs, pointing back at its source', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const source = firstVm(sim.state.vms, 'RUNNING')
  const { task, createdUUID } = await settled(client, await client.call('POST', `/VirDomain/${source.uuid}/clone`, { template: { name: 'clone-1', tags: 'cloned' } }))
  assert.equal(task.state, 'COMPLETE', task.formattedMessage)
  const clone = await getOne<VmRecord>(client, `/VirDomain/${createdUUID}`)
  assert.equal(clone.name, 'clone-1')
  assert.equal(clone.tags, 'cloned')
  assert.equal(clone.sourceVirDomainUUID, source.uuid)
  assert.equal(clone.state, 'SHUTOFF')
  assert.deepEqual(clone.snapUUIDs, [])
  assert.equal(clone.blockDevs.length, source.blockDevs.length)
  assert.equal(clone.netDevs.length, source.netDevs.length)
  assert.deepEqual(clone.blockDevs.map((d) => [d.type, d.capacity]), source.blockDevs.map((d) => [d.type, d.capacity]))
  const sourceIds = new Set([...source.blockDevs, ...source.netDevs].map((d) => d.uuid))
  for (const dev of [...clone.blockDevs, ...clone.netDevs]) {
    assert.ok(!sourceIds.has(dev.uuid), 'new device UUIDs')
    assert.equal(dev.virDomainUUID, clone.uuid)
  }
  const sourceMacs = new Set(source.netDevs.map((n) => n.macAddress))
  for (const nic of clone.netDevs) assert.ok(!sourceMacs.has(nic.macAddress), 'new MAC addresses')
  const cloneIds = new Set(clone.blockDevs.map((d) => d.uuid))
  assert.equal(clone.bootDevices.length, source.bootDevices.length)
  for (const id of clone.bootDevices) assert.ok(cloneIds.has(id), 'the boot order names the clone\'s own devices')
})

test('cloning from a snapshot uses the VM as it was then', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const vm = firstVm(sim.state.vms, 'SHUTOFF')
  const snap = await settled(client, await client.call('POST', '/VirDomainSnapshot', { domainUUID: vm.uuid, label: 'v1' }))
  await settled(client, await client.call('PATCH', `/VirDomain/${vm.uuid}`, { numVCPU: vm.numVCPU + 2, description: 'after' }))
  const { task, createdUUID } = await settled(client, await client.call('POST', `/VirDomain/${vm.uuid}/clone`, { snapUUID: snap.createdUUID, template: { name: 'from-snap' } }))
  assert.equal(task.state, 'COMPLETE', task.formattedMessage)
  const clone = await getOne<VmRecord>(client, `/VirDomain/${createdUUID}`)
  const snapshot = await getOne<SnapshotRecord>(client, `/VirDomainSnapshot/${snap.createdUUID}`)
  assert.equal(clone.numVCPU, snapshot.domain.numVCPU)
  assert.notEqual(clone.numVCPU, vm.numVCPU)
  assert.equal(clone.initialCloneSnapshotUUID, snap.createdUUID)
  assert.equal(clone.sourceVirDomainUUID, vm.uuid)
  const other = [...sim.state.vms.values()].find((v) => v.uuid !== vm.uuid) as VmRecord
  assert.equal((await client.call('POST', `/VirDomain/${other.uuid}/clone`, { snapUUID: snap.createdUUID, template: { name: 'x' } })).status, 400, 'a snapshot of another VM')
  assert.equal((await client.call('POST', `/VirDomain/${vm.uuid}/clone`, { snapUUID: 'nope', template: { name: 'x' } })).status, 404)
})

test('export masks SMB credentials, and import brings the exported VM back as a new one', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const vm = firstVm(sim.state.vms, 'RUNNING')
  const pathURI = 'smb://backup:Hunter2!@nas01/exports/vms'
  const exported = await settled(client, await client.call('POST', `/VirDomain/${vm.uuid}/export`, { target: { pathURI, definitionFileName: 'web.xml', compress: true } }))
  assert.equal(exported.task.state, 'COMPLETE')
  assert.ok(!exported.task.formattedDescription.includes('Hunter2'), exported.task.formattedDescription)
  assert.match(exported.task.formattedDescription, /smb:\/\/backup:\*\*\*\*@nas01\/exports\/vms/)
  const tasks = (await client.call('GET', '/TaskTag')).text
  assert.ok(!tasks.includes('Hunter2'), 'no task echoes the password')

  const missing = await settled(client, await client.call('POST', '/VirDomain/import', { source: { pathURI: 'smb://backup:Hunter2!@nas01/empty' }, template: { name: 'nothing' } }))
  assert.equal(missing.task.state, 'ERROR')
  assert.match(missing.task.formattedMessage, /No exported VM definition/)
  assert.ok(!missing.task.formattedMessage.includes('Hunter2'))

  const imported = await settled(client, await client.call('POST', '/VirDomain/import', { source: { pathURI: 'smb://other:pw@NAS01/exports/vms/', definitionFileName: 'web.xml' }, template: { name: 'restored' } }))
  assert.equal(imported.task.state, 'COMPLETE', imported.task.formattedMessage)
  const copy = await getOne<VmRecord>(client, `/VirDomain/${imported.createdUUID}`)
  assert.equal(copy.name, 'restored')
  assert.equal(copy.mem, vm.mem)
  assert.equal(copy.blockDevs.length, vm.blockDevs.length)
  assert.equal(copy.state, 'SHUTOFF')
  assert.ok(copy.blockDevs.every((d) => !vm.blockDevs.some((o) => o.uuid === d.uuid)))

  assert.equal((await client.call('POST', `/VirDomain/${vm.uuid}/export`, { target: { pathURI: 'ftp://x/y' } })).status, 400)
  assert.equal((await client.call('POST', `/VirDomain/${vm.uuid}/export`, { target: {} })).status, 400)
})

test('block devices: create attaches to the VM, edit grows it, delete detaches; unknown ids are 404', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const vm = firstVm(sim.state.vms, 'RUNNING')
  const created = await settled(client, await client.call('POST', '/VirDomainBlockDevice', { virDomainUUID: vm.uuid, type: 'VIRTIO_DISK', capacity: 50 * GIB, cacheMode: 'WRITEBACK' }))
  assert.equal(created.task.state, 'COMPLETE', 'VIRTIO disks can be added while the VM runs')
  const disk = await getOne<BlockDeviceRecord>(client, `/VirDomainBlockDevice/${created.createdUUID}`)
  assert.equal(disk.virDomainUUID, vm.uuid)
  assert.equal(disk.capacity, 50 * GIB)
  assert.equal(disk.cacheMode, 'WRITEBACK')
  assert.equal(disk.path, `scribe/${disk.uuid}`)
  assert.ok((await getOne<VmRecord>(client, `/VirDomain/${vm.uuid}`)).blockDevs.some((d) => d.uuid === disk.uuid))

  const grown = await settled(client, await client.call('PATCH', `/VirDomainBlockDevice/${disk.uuid}`, { capacity: 80 * GIB }))
  assert.equal(grown.task.state, 'COMPLETE')
  assert.equal((await getOne<BlockDeviceRecord>(client, `/VirDomainBlockDevice/${disk.uuid}`)).capacity, 80 * GIB)
  const shrink = await client.call('PATCH', `/VirDomainBlockDevice/${disk.uuid}`, { capacity: GIB })
  assert.equal(shrink.status, 400)
  assert.match(shrink.text, /only grow/)
  assert.equal((await client.call('PATCH', `/VirDomainBlockDevice/${disk.uuid}`, { virDomainUUID: firstVm(sim.state.vms, 'SHUTOFF').uuid })).status, 400)

  const ide = await settled(client, await client.call('POST', '/VirDomainBlockDevice', { virDomainUUID: vm.uuid, type: 'IDE_DISK', capacity: GIB }))
  assert.equal(ide.task.state, 'ERROR', 'an IDE disk needs the VM off')
  assert.match(ide.task.formattedMessage, /shut it down/)

  const removed = await settled(client, await client.call('DELETE', `/VirDomainBlockDevice/${disk.uuid}`))
  assert.equal(removed.task.state, 'COMPLETE')
  assert.equal((await client.call('GET', `/VirDomainBlockDevice/${disk.uuid}`)).status, 404)
  assert.ok(!(await getOne<VmRecord>(client, `/VirDomain/${vm.uuid}`)).blockDevs.some((d) => d.uuid === disk.uuid))

  assert.equal((await client.call('POST', '/VirDomainBlockDevice', { virDomainUUID: 'nope', type: 'VIRTIO_DISK', capacity: GIB })).status, 404)
  assert.equal((await client.call('POST', '/VirDomainBlockDevice', { type: 'VIRTIO_DISK', capacity: GIB })).status, 400)
  assert.equal((await client.call('POST', '/VirDomainBlockDevice', { virDomainUUID: vm.uuid, type: 'VIRTIO_DISK' })).status, 400, 'capacity is required')
  assert.equal((await client.call('PATCH', '/VirDomainBlockDevice/nope', { capacity: GIB })).status, 404)
  assert.equal((await client.call('DELETE', '/VirDomainBlockDevice/nope')).status, 404)
})

test('a CD-ROM can be pointed at an ISO and ejected; the ISO tracks its mounts', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const vm = firstVm(sim.state.vms, 'RUNNING')
  const iso = [...sim.state.collection('ISO').values()][1] as { uuid: string, path: string, name: string }
  const cd = await settled(client, await client.call('POST', '/VirDomainBlockDevice', { virDomainUUID: vm.uuid, type: 'IDE_CDROM', capacity: 0 }))
  assert.equal(cd.task.state, 'COMPLETE')
  await settled(client, await client.call('PATCH', `/VirDomainBlockDevice/${cd.createdUUID}`, { path: iso.path }))
  assert.equal((await getOne<BlockDeviceRecord>(client, `/VirDomainBlockDevice/${cd.createdUUID}`)).name, iso.name)
  assert.deepEqual((await getOne<{ mounts: unknown[] }>(client, `/ISO/${iso.uuid}`)).mounts, [{ vmUUID: vm.uuid, vmName: vm.name }])
  const busy = await settled(client, await client.call('DELETE', `/ISO/${iso.uuid}`))
  assert.equal(busy.task.state, 'ERROR')
  assert.match(busy.task.formattedMessage, /eject/)
  await settled(client, await client.call('PATCH', `/VirDomainBlockDevice/${cd.createdUUID}`, { path: '' }))
  assert.deepEqual((await getOne<{ mounts: unknown[] }>(client, `/ISO/${iso.uuid}`)).mounts, [])
  assert.equal((await client.call('PATCH', `/VirDomainBlockDevice/${cd.createdUUID}`, { path: 'scribe/missing' })).status, 404)
  const disk = vm.blockDevs.find((d) => d.type === 'VIRTIO_DISK') as BlockDeviceRecord
  assert.equal((await client.call('PATCH', `/VirDomainBlockDevice/${disk.uuid}`, { name: 'x.iso' })).status, 400, 'only a CD-ROM can change its name')
})

test('a NIC can only be added or removed while the VM is off', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const on = firstVm(sim.state.vms, 'RUNNING')
  const off = firstVm(sim.state.vms, 'SHUTOFF')
  const refused = await settled(client, await client.call('POST', '/VirDomainNetDevice', { virDomainUUID: on.uuid, type: 'VIRTIO' }))
  assert.equal(refused.task.state, 'ERROR')
  assert.match(refused.task.formattedMessage, /must be shut off/)
  assert.equal(on.netDevs.length, 1)
  const added = await settled(client, await client.call('POST', '/VirDomainNetDevice', { virDomainUUID: off.uuid, type: 'INTEL_E1000', vlan: 42, macAddress: '7c:4c:58:aa:bb:cc' }))
  assert.equal(added.task.state, 'COMPLETE')
  const nic = await getOne<NetDeviceRecord>(client, `/VirDomainNetDevice/${added.createdUUID}`)
  assert.equal(nic.macAddress, '7C:4C:58:AA:BB:CC')
  assert.equal(nic.vlan, 42)
  const edited = await settled(client, await client.call('PATCH', `/VirDomainNetDevice/${on.netDevs[0]?.uuid}`, { connected: false, vlan: 7 }))
  assert.equal(edited.task.state, 'COMPLETE', 'link state and VLAN can change while running')
  assert.equal(on.netDevs[0]?.connected, false)
  const removeRunning = await settled(client, await client.call('DELETE', `/VirDomainNetDevice/${on.netDevs[0]?.uuid}`))
  assert.equal(removeRunning.task.state, 'ERROR')
  const removeOff = await settled(client, await client.call('DELETE', `/VirDomainNetDevice/${nic.uuid}`))
  assert.equal(removeOff.task.state, 'COMPLETE')
  assert.equal((await client.call('GET', `/VirDomainNetDevice/${nic.uuid}`)).status, 404)
  assert.equal((await client.call('POST', '/VirDomainNetDevice', { virDomainUUID: off.uuid, vlan: 5000 })).status, 400)
  assert.equal((await client.call('POST', '/VirDomainNetDevice', { virDomainUUID: off.uuid, macAddress: 'zz' })).status, 400)
  assert.equal((await client.call('POST', '/VirDomainNetDevice', { virDomainUUID: 'nope' })).status, 404)
})

test('a disk can be cloned out of a snapshot onto another VM', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const snap = [...sim.state.snapshots.values()][0] as SnapshotRecord
  const target = firstVm(sim.state.vms, 'SHUTOFF')
  const device = snap.deviceSnapshots[0] as SnapshotRecord['deviceSnapshots'][number]
  const res = await settled(client, await client.call('POST', `/VirDomainBlockDevice/${device.uuid}/clone`, {
    snapUUID: snap.uuid,
    options: { regenerateDiskID: true, readOnly: true },
    template: { virDomainUUID: target.uuid, type: 'VIRTIO_DISK', capacity: 1 }
  }))
  assert.equal(res.task.state, 'COMPLETE', res.task.formattedMessage)
  const disk = await getOne<BlockDeviceRecord>(client, `/VirDomainBlockDevice/${res.createdUUID}`)
  assert.equal(disk.virDomainUUID, target.uuid)
  assert.equal(disk.capacity, device.capacity, 'never smaller than the snapshot disk')
  assert.equal(disk.readOnly, true)
})

test('VirDomainStats gives plausible figures that move with the clock and are zero when off', async (t) => {
  const clock = new ManualClock()
  const sim = await startTestSimulator(t, { clock })
  const client = await simFetch(t, sim)
  const all = (await client.call('GET', '/VirDomainStats')).json as Array<Record<string, number>>
  assert.equal(all.length, 12)
  const on = firstVm(sim.state.vms, 'RUNNING')
  const off = firstVm(sim.state.vms, 'SHUTOFF')
  const a = await getOne<Record<string, number>>(client, `/VirDomainStats/${on.uuid}`)
  assert.ok((a.cpuUsage as number) > 0 && (a.cpuUsage as number) <= 100)
  assert.ok((a.rxBitRate as number) > 0)
  clock.advance(1100)
  const b = await getOne<Record<string, number>>(client, `/VirDomainStats/${on.uuid}`)
  assert.ok((b.timestamp as number) > (a.timestamp as number))
  assert.ok((b.rdBytes as number) > (a.rdBytes as number), 'counters grow')
  assert.notEqual(b.cpuUsage, a.cpuUsage)
  const idle = await getOne<Record<string, number>>(client, `/VirDomainStats/${off.uuid}`)
  assert.equal(idle.cpuUsage, 0)
})
