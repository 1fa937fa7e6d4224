import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toolSetup } from './setup.js'

test('snapshot_vm takes a labelled USER snapshot and answers its uuid and time; list_snapshots shows it first', async (t) => {
  const s = await toolSetup(t)
  const body = await s.ok('snapshot_vm', { vm: 'app01', label: 'before update' })
  assert.equal(body.ok, true)
  assert.equal(body.vm, 'app01')
  const snap = s.sim.state.snapshots.get(body.snapshot.uuid)
  assert.equal(snap?.label, 'before update')
  assert.equal(snap?.type, 'USER')
  assert.equal(snap?.domainUUID, s.vm('app01').uuid)
  assert.equal(body.snapshot.taken, `${new Date(s.clock.now()).toISOString().slice(0, 16)}Z`)

  const mine = await s.ok('list_snapshots', { vm: 'APP01' }, 'reader')
  assert.equal(mine.total, s.vm('app01').snapUUIDs.length)
  assert.deepEqual(mine.snapshots[0], body.snapshot)
  assert.ok(mine.snapshots.every((r: { vm: string }) => r.vm === 'app01'))

  const all = await s.ok('list_snapshots', {})
  assert.equal(all.total, s.sim.state.snapshots.size)
  const times = all.snapshots.map((r: { taken: string }) => r.taken)
  assert.deepEqual(times, [...times].sort().reverse(), 'newest first')
})

test('list_snapshots shows the newest 50 of many and says how many there are', async (t) => {
  const s = await toolSetup(t, { sim: { vms: 400 } })
  const all = await s.ok('list_snapshots', {})
  assert.ok(all.total > 50, String(all.total))
  assert.equal(all.returned, 50)
  assert.match(all.notes[0], new RegExp(`newest 50 of ${String(all.total)}; give vm`))
})

test('delete_snapshot in confirm mode shows what would go and deletes only after the confirmation', async (t) => {
  const s = await toolSetup(t, { mode: 'confirm' })
  const taken = await s.ok('snapshot_vm', { vm: 'file01', label: 'old' })
  const uuid = taken.snapshot.uuid as string
  const asked = await s.call('delete_snapshot', { snapshot: 'old' })
  assert.equal(asked.statusCode, 409, asked.body)
  assert.equal(asked.json().code, 'CONFIRMATION_REQUIRED')
  assert.match(asked.json().details.preview, /^DELETE snapshot 'old' of VM 'file01', taken \d{4}-\d\d-\d\d \d\d:\d\d UTC/)
  assert.ok(s.sim.state.snapshots.has(uuid))
  const done = await s.ok('delete_snapshot', { snapshot: 'old', confirm: asked.json().details.confirmToken })
  assert.equal(done.deleted.uuid, uuid)
  assert.deepEqual(done.task, { state: 'COMPLETE', progressPercent: 100 })
  assert.equal(s.sim.state.snapshots.has(uuid), false)
  assert.equal(s.vm('file01').snapUUIDs.includes(uuid), false)
})

test('clone_vm copies a VM as it is now or as one of its snapshots kept it', async (t) => {
  const s = await toolSetup(t)
  await s.ok('snapshot_vm', { vm: 'dev-ubuntu', label: 'base' })
  await s.ok('update_vm', { vm: 'dev-ubuntu', cpus: 6 })
  const fromSnap = await s.ok('clone_vm', { vm: 'dev-ubuntu', name: 'dev-base', fromSnapshot: 'base' })
  const now = await s.ok('clone_vm', { vm: 'dev-ubuntu', name: 'dev-now' })
  assert.equal(fromSnap.clone.state, 'SHUTOFF')
  assert.equal(fromSnap.fromSnapshot, [...s.sim.state.snapshots.values()].find((x) => x.label === 'base')?.uuid)
  assert.equal(s.sim.state.vms.get(fromSnap.clone.uuid)?.numVCPU, 2)
  assert.equal(s.sim.state.vms.get(now.clone.uuid)?.numVCPU, 6)
  assert.equal(s.sim.state.vms.get(now.clone.uuid)?.name, 'dev-now')
  assert.equal((await s.ok('get_vm', { vm: 'dev-base' })).uuid, fromSnap.clone.uuid)

  const other = await s.call('clone_vm', { vm: 'web01', name: 'x', fromSnapshot: 'base' })
  assert.equal(other.statusCode, 404, 'a snapshot of another VM is not a candidate')
  assert.equal(other.json().code, 'NAME_NOT_FOUND')
})
