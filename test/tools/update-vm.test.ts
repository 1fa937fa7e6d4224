import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toolSetup } from './setup.js'

const GIB = 1024 ** 3

test('update_vm makes the everyday edits without nested JSON and answers the values now', async (t) => {
  const s = await toolSetup(t)
  const uuid = s.vm('dev-ubuntu').uuid
  const body = await s.ok('update_vm', { vm: 'dev-ubuntu', name: 'dev-ubuntu-2', description: 'Sandbox', tags: ['dev', ' lab '], cpus: 4, memoryGiB: 16 })
  assert.equal(body.changed, true)
  assert.deepEqual(body.changes, ['name "dev-ubuntu" → "dev-ubuntu-2"', 'description "Developer sandbox" → "Sandbox"', 'tags "dev" → "dev,lab"', 'cpus 2 → 4', 'memoryGiB 4 → 16'])
  assert.deepEqual(body.now, { name: 'dev-ubuntu-2', description: 'Sandbox', tags: ['dev', 'lab'], cpus: 4, memoryGiB: 16 })
  assert.deepEqual(body.task, { state: 'COMPLETE', progressPercent: 100 })
  assert.equal(body.notes, undefined, 'a VM that is off takes new CPUs and memory at once')
  const vm = s.sim.state.vms.get(uuid)
  assert.deepEqual([vm?.name, vm?.tags, vm?.numVCPU, vm?.mem], ['dev-ubuntu-2', 'dev,lab', 4, 16 * GIB])
  const change = s.audit().find((e) => e.tool === 'update_vm' && e.phase === 'decision')
  assert.deepEqual(change?.calls[0], { method: 'PATCH', path: `/VirDomain/${uuid}` })
  assert.deepEqual(change?.payload, { name: 'dev-ubuntu-2', description: 'Sandbox', tags: 'dev,lab', numVCPU: 4, mem: 16 * GIB })
})

test('update_vm says when new CPUs and memory wait for the next power-on, and sends nothing when nothing differs', async (t) => {
  const s = await toolSetup(t)
  const running = await s.ok('update_vm', { vm: 'web01', cpus: 4, memoryGiB: 0.5 })
  assert.equal(running.state, 'RUNNING')
  assert.ok(running.notes.some((n: string) => /RUNNING: the new CPU count and memory are stored now and take effect at its next power-on/.test(n)), JSON.stringify(running.notes))
  assert.equal(s.vm('web01').mem, GIB / 2)

  const tasks = s.sim.tasks.list().length
  const same = await s.ok('update_vm', { vm: 'web01', cpus: 4, tags: ['prod', 'web'], name: 'web01' })
  assert.equal(same.changed, false)
  assert.deepEqual(same.changes, [])
  assert.equal(same.taskTag, undefined)
  assert.equal(s.sim.tasks.list().length, tasks)

  const empty = await s.call('update_vm', { vm: 'web01' })
  assert.equal(empty.statusCode, 400)
  assert.match(empty.json().message, /names nothing to change/)
  const bytes = await s.call('update_vm', { vm: 'web01', memoryGiB: 8 * GIB })
  assert.equal(bytes.statusCode, 400)
  assert.deepEqual(bytes.json().details.fields.map((f: { field: string }) => f.field), ['memoryGiB'])
  assert.match(bytes.json().message, /GiB, not bytes/)
})

test('update_vm reports a change the cluster refused with ok=false and its message', async (t) => {
  const s = await toolSetup(t)
  const uuid = s.vm('win11-test').uuid
  // A delete queued first (no wait) runs before the edit: the cluster's edit task then fails.
  const del = await s.call('run_api', { query: `/VirDomain/${uuid}`, method: 'DELETE' })
  assert.equal(del.statusCode, 200, del.body)
  const res = await s.call('update_vm', { vm: uuid, cpus: 8 })
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json()
  assert.equal(body.ok, false)
  assert.equal(body.changed, false)
  assert.equal(body.task.state, 'ERROR')
  assert.match(body.task.error, /no longer exists/)
  assert.ok(body.notes.some((n: string) => n.startsWith('The cluster refused the change')))
})

test('a reader is not offered update_vm and is refused; read-only mode refuses the change and sends nothing', async (t) => {
  const s = await toolSetup(t)
  const reader = await s.call('update_vm', { vm: 'web01', cpus: 8 }, 'reader')
  assert.equal(reader.statusCode, 403)
  assert.equal(reader.json().code, 'FORBIDDEN')
  const approver = await s.call('update_vm', { vm: 'web01', cpus: 8 }, 'approver')
  assert.equal(approver.statusCode, 403)
  assert.equal(s.vm('web01').numVCPU, 2)

  const ro = await toolSetup(t, { mode: 'read-only' })
  const refused = await ro.call('update_vm', { vm: 'web01', cpus: 8 }, 'admin')
  assert.equal(refused.statusCode, 403)
  assert.equal(refused.json().code, 'READ_ONLY')
  assert.equal(ro.sim.tasks.list().length, 0)
})
