import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toolSetup } from './setup.js'

test('task_status follows a long task to its end, waiting at most the host-safe 20 s per call', async (t) => {
  const s = await toolSetup(t, { sim: { taskDurationMs: 50_000 } })
  const snap = await s.ok('snapshot_vm', { vm: 'dc01', label: 'slow' })
  assert.equal(snap.task.state, 'RUNNING')
  assert.equal(snap.snapshot.taken, '', 'not taken yet')
  const tag = snap.taskTag as string

  const look = await s.ok('task_status', { taskTag: tag }, 'reader')
  assert.deepEqual({ ...look, progressPercent: undefined }, { taskTag: tag, state: 'RUNNING', progressPercent: undefined, done: false, ok: true, description: 'Snapshot VM "dc01" ("slow")', message: '', objectUUID: s.vm('dc01').uuid })
  const before = s.clock.now()
  const waited = await s.ok('task_status', { taskTag: tag, wait: 20 })
  assert.equal(waited.state, 'RUNNING')
  assert.ok(waited.progressPercent > look.progressPercent)
  assert.match(waited.notes[0], /still RUNNING after 20 s/)
  assert.ok(s.clock.now() - before <= 20_000)
  const ended = await s.ok('task_status', { taskTag: tag, wait: 20 })
  assert.deepEqual([ended.state, ended.done, ended.ok, ended.progressPercent, ended.notes], ['COMPLETE', true, true, 100, undefined])
  assert.equal(s.sim.state.snapshots.get(snap.snapshot.uuid)?.label, 'slow')
  const tooLong = await s.call('task_status', { taskTag: tag, wait: 60 })
  assert.equal(tooLong.statusCode, 400)
})

test('task_status says when a task failed, and when the cluster has no record of it', async (t) => {
  const s = await toolSetup(t)
  const uuid = s.vm('win11-test').uuid
  const del = await s.ok('run_api', { query: `/VirDomain/${uuid}`, method: 'DELETE' })
  const edit = await s.ok('run_api', { query: `/VirDomain/${uuid}`, method: 'PATCH', payload: { numVCPU: 8 } })
  const failed = await s.ok('task_status', { taskTag: edit.taskTag, wait: 10 })
  assert.deepEqual([failed.state, failed.done, failed.ok], ['ERROR', true, false])
  assert.match(failed.message, /no longer exists/)
  assert.equal((await s.ok('task_status', { taskTag: del.taskTag })).state, 'COMPLETE')

  const unknown = await s.ok('task_status', { taskTag: '987654' })
  assert.equal(unknown.state, 'UNKNOWN')
  assert.match(unknown.notes[0], /no record of this task/)
  const bad = await s.call('task_status', { taskTag: '../Cluster' })
  assert.equal(bad.statusCode, 400)
  assert.equal(bad.json().code, 'VALIDATION_ERROR')
})
