import assert from 'node:assert/strict'
import { test } from 'node:test'
import { closestNames, editDistance } from '../../src/text/closest-names.js'
import { toolSetup } from './setup.js'

test('closest names: same name but for case, then prefixes, then containment, each by edit distance, ties by name', () => {
  const names = ['web01', 'web02', 'web-frontend', 'app01', 'sql01', 'WEB', 'old-web01-copy'].map((name) => ({ name }))
  assert.deepEqual(closestNames('web', names, 10).map((n) => n.name), ['WEB', 'web01', 'web02', 'web-frontend', 'old-web01-copy', 'app01', 'sql01'])
  assert.deepEqual(closestNames('wbe01', names, 2).map((n) => n.name), ['web01', 'web02'])
  assert.equal(editDistance('wbe01', 'web01'), 1, 'a transposition is one step')
  assert.equal(editDistance('', 'abc'), 3)
  assert.equal(editDistance('kitten', 'sitting'), 3)
})

test('a VM is found by UUID (any case), by exact name, and by a name differing only in case', async (t) => {
  const s = await toolSetup(t)
  const sql = s.vm('sql01')
  for (const ref of [sql.uuid, sql.uuid.toUpperCase(), 'sql01', 'SQL01', '  Sql01 ']) {
    const body = await s.ok('get_vm', { vm: ref })
    assert.equal(body.uuid, sql.uuid, ref)
  }
})

test('a name several VMs share answers NAME_AMBIGUOUS with each of them; the exact case wins over a case-insensitive match', async (t) => {
  const s = await toolSetup(t)
  const web01 = s.vm('web01')
  const upper = await s.ok('clone_vm', { vm: 'web01', name: 'WEB01' })
  assert.equal((await s.ok('get_vm', { vm: 'web01' })).uuid, web01.uuid, 'the exact name picks one')
  assert.equal((await s.ok('get_vm', { vm: 'WEB01' })).uuid, upper.clone.uuid)

  const mixed = await s.call('get_vm', { vm: 'Web01' })
  assert.equal(mixed.statusCode, 409)
  assert.equal(mixed.json().code, 'NAME_AMBIGUOUS')
  assert.deepEqual(mixed.json().details.candidates.map((c: { uuid: string }) => c.uuid).sort(), [web01.uuid, upper.clone.uuid].sort())
  assert.match(mixed.json().message, /Call again with the UUID/)

  const twin = await s.ok('clone_vm', { vm: 'web01', name: 'web01' })
  assert.ok(twin.notes.some((n: string) => n.includes(web01.uuid)), 'the clone says its name is taken')
  const tasks = s.sim.tasks.list().length
  const stop = await s.call('vm_action', { vm: 'web01', action: 'STOP' })
  assert.equal(stop.statusCode, 409)
  assert.equal(stop.json().code, 'NAME_AMBIGUOUS')
  assert.deepEqual(stop.json().details.candidates.map((c: { name: string, detail: string }) => `${c.name} ${c.detail}`).sort(), ['web01 RUNNING', 'web01 SHUTOFF'])
  assert.equal(s.sim.tasks.list().length, tasks, 'nothing was sent')
  assert.equal(s.vm('web01').state, 'RUNNING')
  assert.equal((await s.ok('vm_action', { vm: web01.uuid, action: 'STOP' })).state, 'SHUTOFF', 'the UUID settles it')
})

test('an unknown name answers NAME_NOT_FOUND with the closest names first', async (t) => {
  const s = await toolSetup(t)
  const res = await s.call('get_vm', { vm: 'wbe01' })
  assert.equal(res.statusCode, 404)
  assert.equal(res.json().code, 'NAME_NOT_FOUND')
  const names = res.json().details.candidates.map((c: { name: string }) => c.name)
  assert.deepEqual(names.slice(0, 2), ['web01', 'web02'])
  assert.equal(names.length, 5)
  assert.match(res.json().message, /Closest: web01 \(/)
  const part = await s.call('vm_stats', { vm: 'legacy' })
  assert.equal(part.statusCode, 404, 'part of a name is a candidate, never a match')
  assert.equal(part.json().details.candidates[0].name, 'legacy-erp')
  const uuid = await s.call('get_vm', { vm: '00000000-0000-4000-8000-000000000000' })
  assert.equal(uuid.statusCode, 404)
  assert.equal(uuid.json().code, 'NAME_NOT_FOUND')
})

test('a snapshot is found by UUID or exact label; a label on several snapshots lists them with their VMs', async (t) => {
  const s = await toolSetup(t)
  const a = await s.ok('snapshot_vm', { vm: 'dc01', label: 'nightly' })
  const b = await s.ok('snapshot_vm', { vm: 'dc02', label: 'Nightly' })
  const both = await s.call('delete_snapshot', { snapshot: 'NIGHTLY' })
  assert.equal(both.statusCode, 409)
  assert.equal(both.json().code, 'NAME_AMBIGUOUS')
  const details = both.json().details.candidates.map((c: { uuid: string, detail: string }) => `${c.uuid} ${c.detail}`).sort()
  assert.deepEqual(details.map((d: string) => d.split(' ')[0]), [a.snapshot.uuid, b.snapshot.uuid].sort())
  assert.ok(details.some((d: string) => d.includes('VM dc01')) && details.some((d: string) => d.includes('VM dc02')), details.join('; '))
  assert.equal((await s.ok('delete_snapshot', { snapshot: 'Nightly' })).deleted.uuid, b.snapshot.uuid, 'the exact label picks one')
  assert.equal((await s.ok('delete_snapshot', { snapshot: a.snapshot.uuid })).deleted.vm, 'dc01')
  const gone = await s.call('delete_snapshot', { snapshot: 'nightly' })
  assert.equal(gone.statusCode, 404)
  assert.equal(gone.json().code, 'NAME_NOT_FOUND')
})
