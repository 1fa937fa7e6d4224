import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toolSetup } from './setup.js'

// The seeded cluster: web01..app01 RUNNING, dev-ubuntu and win11-test SHUTOFF, legacy-erp PAUSED, k8s-worker-03 CRASHED.

test('an action the VM has already taken is answered changed=false with nothing sent, and impossible ones are refused', async (t) => {
  const s = await toolSetup(t)
  const already = [
    ['web01', 'START', 'RUNNING'],
    ['dev-ubuntu', 'STOP', 'SHUTOFF'],
    ['dev-ubuntu', 'SHUTDOWN', 'SHUTOFF'],
    ['k8s-worker-03', 'STOP', 'CRASHED'],
    ['legacy-erp', 'PAUSE', 'PAUSED']
  ] as const
  for (const [vm, action, state] of already) {
    const body = await s.ok('vm_action', { vm, action })
    assert.equal(body.ok, true)
    assert.equal(body.changed, false, `${action} ${vm}`)
    assert.equal(body.state, state)
    assert.equal(body.previousState, state)
    assert.equal(body.taskTag, undefined)
    assert.match(body.notes[0], /^Nothing was sent/)
  }
  const impossible = [
    ['dev-ubuntu', 'PAUSE', /needs the VM RUNNING and it is SHUTOFF; START it first/],
    ['dev-ubuntu', 'REBOOT', /needs the VM RUNNING/],
    ['dev-ubuntu', 'RESET', /needs the VM RUNNING/],
    ['k8s-worker-03', 'NMI', /needs the VM RUNNING and it is CRASHED/],
    ['legacy-erp', 'SHUTDOWN', /PAUSED guest cannot answer a shutdown request; STOP powers it off/],
    ['legacy-erp', 'REBOOT', /START resumes it/]
  ] as const
  for (const [vm, action, why] of impossible) {
    const res = await s.call('vm_action', { vm, action })
    assert.equal(res.statusCode, 409, res.body)
    assert.equal(res.json().code, 'ACTION_NOT_ALLOWED')
    assert.match(res.json().message, why)
    assert.equal(res.json().details.state, s.vm(vm).state)
  }
  const noNode = await s.call('vm_action', { vm: 'web01', action: 'LIVEMIGRATE' })
  assert.equal(noNode.statusCode, 400)
  assert.deepEqual(noNode.json().details.fields.map((f: { field: string }) => f.field), ['node'])
  const stray = await s.call('vm_action', { vm: 'web01', action: 'STOP', node: '127.0.0.2' })
  assert.equal(stray.statusCode, 400)
  assert.equal(s.sim.tasks.list().length, 0, 'not one of these calls reached the cluster as a change')
  assert.equal(s.vm('web01').state, 'RUNNING')
})

test('each action that applies is sent, waited for, and answered with the new state and node', async (t) => {
  const s = await toolSetup(t)
  const node2 = [...s.sim.state.nodes.values()].find((n) => n.peerID === 2)?.lanIP as string
  const node = (uuid: string): string => uuid === '' ? '' : s.sim.state.nodes.get(uuid)?.lanIP as string
  const steps = [
    ['legacy-erp', 'START', 'PAUSED', 'RUNNING'],
    ['dev-ubuntu', 'START', 'SHUTOFF', 'RUNNING'],
    ['web01', 'REBOOT', 'RUNNING', 'RUNNING'],
    ['web01', 'RESET', 'RUNNING', 'RUNNING'],
    ['web01', 'NMI', 'RUNNING', 'RUNNING'],
    ['web02', 'PAUSE', 'RUNNING', 'PAUSED'],
    ['web02', 'STOP', 'PAUSED', 'SHUTOFF'],
    ['dc01', 'SHUTDOWN', 'RUNNING', 'SHUTOFF'],
    ['dc02', 'STOP', 'RUNNING', 'SHUTOFF']
  ] as const
  for (const [vm, action, before, after] of steps) {
    const body = await s.ok('vm_action', { vm, action: action.toLowerCase() })
    assert.equal(body.changed, true, `${action} ${vm}: ${JSON.stringify(body)}`)
    assert.equal(body.previousState, before)
    assert.equal(body.state, after)
    assert.equal(s.vm(vm).state, after)
    assert.equal(body.node, node(s.vm(vm).nodeUUID))
    assert.deepEqual(body.task, { state: 'COMPLETE', progressPercent: 100 })
    assert.match(body.taskTag, /\S/)
  }

  const k8s = await s.ok('vm_action', { vm: 'k8s-worker-03', action: 'START', node: node2 })
  assert.equal(k8s.state, 'RUNNING')
  assert.equal(k8s.node, node2)

  const app = s.vm('app01')
  const elsewhere = [...s.sim.state.nodes.values()].find((n) => n.uuid !== app.nodeUUID)?.lanIP as string
  const moved = await s.ok('vm_action', { vm: 'app01', action: 'LIVEMIGRATE', node: elsewhere })
  assert.equal(moved.changed, true)
  assert.equal(moved.node, elsewhere)
  const again = await s.ok('vm_action', { vm: 'app01', action: 'LIVEMIGRATE', node: elsewhere })
  assert.equal(again.changed, false)
  assert.match(again.notes[0], new RegExp(`already runs on node ${elsewhere.replace(/\./g, '\\.')}`))

  const nowhere = await s.call('vm_action', { vm: 'app01', action: 'LIVEMIGRATE', node: '127.0.0.99' })
  assert.equal(nowhere.statusCode, 404)
  assert.equal(nowhere.json().code, 'NAME_NOT_FOUND')
  assert.equal(nowhere.json().details.candidates.length, 3)
})

test('a node that is offline is refused as a LIVEMIGRATE target', async (t) => {
  const s = await toolSetup(t)
  const app = s.vm('app01')
  const target = [...s.sim.state.nodes.values()].find((n) => n.uuid !== app.nodeUUID)
  assert.ok(target !== undefined)
  s.sim.state.downNodes.add(target.uuid)
  const res = await s.call('vm_action', { vm: 'app01', action: 'LIVEMIGRATE', node: target.uuid })
  assert.equal(res.statusCode, 409)
  assert.match(res.json().message, /is offline/)
})

test('a task longer than the host-safe wait comes back after 20 s with its taskTag and how to follow it', async (t) => {
  const s = await toolSetup(t, { sim: { taskDurationMs: 70_000 } })
  const started = s.clock.now()
  const body = await s.ok('vm_action', { vm: 'web01', action: 'STOP' })
  assert.equal(body.ok, true)
  assert.equal(body.task.state, 'RUNNING')
  assert.ok(body.task.progressPercent > 0 && body.task.progressPercent < 100)
  assert.equal(body.state, 'RUNNING', 'the VM has not stopped yet')
  assert.ok(body.notes.some((n: string) => n.includes('after 20 s') && n.includes(`task_status {"taskTag": "${String(body.taskTag)}"}`) && /do not send the change again/.test(n)), JSON.stringify(body.notes))
  const waited = s.clock.now() - started
  assert.ok(waited >= 19_000 && waited <= 20_000, `waited ${waited} ms of the simulator's clock`)
})

test('the policy applies to vm_action with no code in the tool: read-only refuses, confirm mode asks for STOP, readers are not offered it', async (t) => {
  const readOnly = await toolSetup(t, { mode: 'read-only' })
  const refused = await readOnly.call('vm_action', { vm: 'web01', action: 'STOP' })
  assert.equal(refused.statusCode, 403)
  assert.equal(refused.json().code, 'READ_ONLY')
  assert.equal(readOnly.vm('web01').state, 'RUNNING')
  assert.equal(readOnly.sim.tasks.list().length, 0)

  const confirm = await toolSetup(t, { mode: 'confirm' })
  const asked = await confirm.call('vm_action', { vm: 'web01', action: 'STOP' })
  assert.equal(asked.statusCode, 409, asked.body)
  assert.equal(asked.json().code, 'CONFIRMATION_REQUIRED')
  assert.match(asked.json().details.preview, /^STOP VM 'web01' \(RUNNING, 1 disk, 2 snapshots\)/)
  assert.equal(confirm.vm('web01').state, 'RUNNING', 'nothing ran before the confirmation')
  const token = asked.json().details.confirmToken as string
  const stopped = await confirm.ok('vm_action', { vm: 'web01', action: 'STOP', confirm: token })
  assert.equal(stopped.state, 'SHUTOFF')
  const started = await confirm.ok('vm_action', { vm: 'dev-ubuntu', action: 'START' })
  assert.equal(started.state, 'RUNNING', 'START is not destructive: no confirmation')
  const decisions = confirm.audit().filter((e) => e.tool === 'vm_action' && e.phase === 'decision').map((e) => e.decision)
  assert.deepEqual(decisions, ['confirmation-required', 'confirmed', 'allowed'])
  const stopCall = confirm.audit().find((e) => e.decision === 'confirmed')?.calls[0]
  assert.deepEqual(stopCall, { method: 'POST', path: '/VirDomain/action', destructive: true })

  const forbidden = await confirm.call('vm_action', { vm: 'dev-ubuntu', action: 'STOP' }, 'reader')
  assert.equal(forbidden.statusCode, 403)
  assert.equal(forbidden.json().code, 'FORBIDDEN')
  const doc = await confirm.app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: 'Bearer tools-reader-token-0123456789abcdef' } })
  const paths = Object.keys(doc.json().paths)
  assert.ok(paths.includes('/list_vms') && !paths.includes('/vm_action') && !paths.includes('/update_vm'), paths.join(' '))
})
