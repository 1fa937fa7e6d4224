import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TaskTagStatus, VmRecord, VmState } from '../../src/simulator/index.js'
import { simFetch, startTestSimulator } from '../simulator-helper.js'

type Expected = VmState | 'ERROR'
const STATES: VmState[] = ['RUNNING', 'SHUTOFF', 'SHUTDOWN', 'PAUSED', 'CRASHED', 'BLOCKED']

// The rules: START from a powered-off or paused VM; everything else only from RUNNING.
const RULES: Record<string, Record<VmState, Expected>> = {
  START: { RUNNING: 'ERROR', SHUTOFF: 'RUNNING', SHUTDOWN: 'RUNNING', PAUSED: 'RUNNING', CRASHED: 'RUNNING', BLOCKED: 'ERROR' },
  SHUTDOWN: { RUNNING: 'SHUTOFF', SHUTOFF: 'ERROR', SHUTDOWN: 'ERROR', PAUSED: 'ERROR', CRASHED: 'ERROR', BLOCKED: 'ERROR' },
  STOP: { RUNNING: 'SHUTOFF', SHUTOFF: 'ERROR', SHUTDOWN: 'ERROR', PAUSED: 'ERROR', CRASHED: 'ERROR', BLOCKED: 'ERROR' },
  REBOOT: { RUNNING: 'RUNNING', SHUTOFF: 'ERROR', SHUTDOWN: 'ERROR', PAUSED: 'ERROR', CRASHED: 'ERROR', BLOCKED: 'ERROR' },
  RESET: { RUNNING: 'RUNNING', SHUTOFF: 'ERROR', SHUTDOWN: 'ERROR', PAUSED: 'ERROR', CRASHED: 'ERROR', BLOCKED: 'ERROR' },
  PAUSE: { RUNNING: 'PAUSED', SHUTOFF: 'ERROR', SHUTDOWN: 'ERROR', PAUSED: 'ERROR', CRASHED: 'ERROR', BLOCKED: 'ERROR' },
  LIVEMIGRATE: { RUNNING: 'RUNNING', SHUTOFF: 'ERROR', SHUTDOWN: 'ERROR', PAUSED: 'ERROR', CRASHED: 'ERROR', BLOCKED: 'ERROR' },
  NMI: { RUNNING: 'RUNNING', SHUTOFF: 'ERROR', SHUTDOWN: 'ERROR', PAUSED: 'ERROR', CRASHED: 'ERROR', BLOCKED: 'ERROR' }
}

function place (vm: VmRecord, state: VmState, nodeUUID: string): void {
  vm.state = state
  vm.nodeUUID = state === 'RUNNING' || state === 'PAUSED' || state === 'BLOCKED' ? nodeUUID : ''
}

test('VirDomain/action follows the power-state rules for every action and state', async (t) => {
  const cases = Object.entries(RULES).flatMap(([action, byState]) => STATES.map((from) => ({ action, from, expected: byState[from] })))
  const sim = await startTestSimulator(t, { vms: cases.length })
  const client = await simFetch(t, sim)
  const vms = [...sim.state.vms.values()]
  const firstNode = [...sim.state.nodes.keys()][0] as string

  const results = await Promise.all(cases.map(async (c, i) => {
    const vm = vms[i] as VmRecord
    place(vm, c.from, firstNode)
    const res = await client.call('POST', '/VirDomain/action', [{ virDomainUUID: vm.uuid, actionType: c.action }])
    assert.equal(res.status, 200, `${c.action} from ${c.from}: ${res.text}`)
    const { taskTag, createdUUID } = res.json as { taskTag: string, createdUUID: string }
    assert.equal(createdUUID, '')
    return { c, vm, task: await client.waitForTask(taskTag) }
  }))

  for (const { c, vm, task } of results) {
    const where = `${c.action} from ${c.from}`
    if (c.expected === 'ERROR') {
      assert.equal(task.state, 'ERROR', where)
      assert.match(task.formattedMessage, /Cannot .*VM ".+"/, where)
      assert.equal(vm.state, c.from, `${where} leaves the VM as it was`)
    } else {
      assert.equal(task.state, 'COMPLETE', `${where}: ${task.formattedMessage}`)
      assert.equal(vm.state, c.expected, where)
      const fetched = (await client.call('GET', `/VirDomain/${vm.uuid}`)).json as VmRecord[]
      assert.equal(fetched[0]?.state, c.expected, `${where} is visible through the API`)
      if (c.expected === 'SHUTOFF') assert.equal(vm.nodeUUID, '', `${where} takes the VM off its node`)
      else assert.ok(sim.state.nodes.has(vm.nodeUUID), `${where} leaves the VM on a node`)
      if (c.action === 'LIVEMIGRATE') assert.notEqual(vm.nodeUUID, firstNode, 'LIVEMIGRATE moves the VM')
    }
  }
})

test('START puts a VM on the node asked for, and LIVEMIGRATE moves it to another', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const vm = [...sim.state.vms.values()].find((v) => v.state === 'SHUTOFF') as VmRecord
  const [, node2, node3] = [...sim.state.nodes.keys()] as [string, string, string]
  let res = await client.call('POST', '/VirDomain/action', [{ virDomainUUID: vm.uuid, actionType: 'START', nodeUUID: node2 }])
  assert.equal((await client.waitForTask((res.json as { taskTag: string }).taskTag)).state, 'COMPLETE')
  assert.equal(vm.nodeUUID, node2)
  res = await client.call('POST', '/VirDomain/action', [{ virDomainUUID: vm.uuid, actionType: 'LIVEMIGRATE', nodeUUID: node3 }])
  assert.equal((await client.waitForTask((res.json as { taskTag: string }).taskTag)).state, 'COMPLETE')
  assert.equal(vm.nodeUUID, node3)
  res = await client.call('POST', '/VirDomain/action', [{ virDomainUUID: vm.uuid, actionType: 'LIVEMIGRATE', nodeUUID: node3 }])
  const again = await client.waitForTask((res.json as { taskTag: string }).taskTag)
  assert.equal(again.state, 'ERROR')
  assert.match(again.formattedMessage, /already runs on node/)
})

test('a batch applies what it can and ends in ERROR naming what it could not do', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const off = [...sim.state.vms.values()].find((v) => v.state === 'SHUTOFF') as VmRecord
  const on = [...sim.state.vms.values()].find((v) => v.state === 'RUNNING') as VmRecord
  const res = await client.call('POST', '/VirDomain/action', [
    { virDomainUUID: off.uuid, actionType: 'START' },
    { virDomainUUID: on.uuid, actionType: 'START' }
  ])
  const task = await client.waitForTask((res.json as { taskTag: string }).taskTag)
  assert.equal(task.state, 'ERROR')
  assert.ok(task.formattedMessage.includes(`VM "${on.name}"`))
  assert.ok(!task.formattedMessage.includes(`VM "${off.name}"`))
  assert.deepEqual(new Set(task.objectUUIDs), new Set([off.uuid, on.uuid]))
  assert.equal(off.state, 'RUNNING')
})

test('actions on an unknown VM or node are refused with 404 and start nothing', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const vm = [...sim.state.vms.values()][0] as VmRecord
  const before = ((await client.call('GET', '/TaskTag')).json as unknown[]).length
  const unknownVm = await client.call('POST', '/VirDomain/action', [{ virDomainUUID: '00000000-0000-4000-8000-000000000000', actionType: 'START' }])
  assert.equal(unknownVm.status, 404)
  assert.match((unknownVm.json as { error: string }).error, /00000000-0000-4000-8000-000000000000/)
  const unknownNode = await client.call('POST', '/VirDomain/action', [{ virDomainUUID: vm.uuid, actionType: 'LIVEMIGRATE', nodeUUID: 'nope' }])
  assert.equal(unknownNode.status, 404)
  assert.equal(((await client.call('GET', '/TaskTag')).json as unknown[]).length, before)
})

test('malformed action bodies get 400 with the offending field', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const vm = [...sim.state.vms.values()][0] as VmRecord
  const bad: Array<[unknown, RegExp]> = [
    [{ virDomainUUID: vm.uuid, actionType: 'START' }, /array/],
    [[{ virDomainUUID: vm.uuid, actionType: 'BOOT' }], /actionType/],
    [[{ actionType: 'START' }], /virDomainUUID/],
    [[], /at least one/]
  ]
  for (const [body, pattern] of bad) {
    const res = await client.call('POST', '/VirDomain/action', body)
    assert.equal(res.status, 400, JSON.stringify(body))
    assert.match(res.text, pattern, JSON.stringify(body))
  }
})

test('task tags move from QUEUED or RUNNING to COMPLETE with rising progress', async (t) => {
  const sim = await startTestSimulator(t, { taskDurationMs: 60_000 })
  const client = await simFetch(t, sim)
  const vm = [...sim.state.vms.values()].find((v) => v.state === 'SHUTOFF') as VmRecord
  const res = await client.call('POST', '/VirDomain/action', [{ virDomainUUID: vm.uuid, actionType: 'START' }])
  const { taskTag } = res.json as { taskTag: string }
  assert.match(taskTag, /^\d+$/)
  const first = ((await client.call('GET', `/TaskTag/${taskTag}`)).json as TaskTagStatus[])[0] as TaskTagStatus
  assert.ok(first.state === 'QUEUED' || first.state === 'RUNNING')
  assert.ok(first.progressPercent < 100)
  assert.equal(first.taskTag, taskTag)
  assert.match(first.formattedDescription, new RegExp(`Start VM "${vm.name}"`))
  assert.equal(vm.state, 'SHUTOFF', 'nothing changes before the task finishes')
  sim.tasks.drain()
  const done = ((await client.call('GET', `/TaskTag/${taskTag}`)).json as TaskTagStatus[])[0] as TaskTagStatus
  assert.equal(done.state, 'COMPLETE')
  assert.equal(done.progressPercent, 100)
  assert.equal(done.formattedMessage, '')
  assert.ok(done.completed >= done.created)
  assert.equal(vm.state, 'RUNNING')
})

test('tasks finish on their own, in the order they were started', async (t) => {
  const sim = await startTestSimulator(t, { taskDurationMs: 30 })
  const client = await simFetch(t, sim)
  const vm = [...sim.state.vms.values()].find((v) => v.state === 'SHUTOFF') as VmRecord
  const start = await client.call('POST', '/VirDomain/action', [{ virDomainUUID: vm.uuid, actionType: 'START' }])
  const stop = await client.call('POST', '/VirDomain/action', [{ virDomainUUID: vm.uuid, actionType: 'STOP' }])
  assert.equal((await client.waitForTask((stop.json as { taskTag: string }).taskTag)).state, 'COMPLETE')
  assert.equal((await client.waitForTask((start.json as { taskTag: string }).taskTag)).state, 'COMPLETE')
  assert.equal(vm.state, 'SHUTOFF')
  const observed: string[] = []
  const tagged = await client.call('POST', '/VirDomain/action', [{ virDomainUUID: vm.uuid, actionType: 'START' }])
  for (;;) {
    const s = ((await client.call('GET', `/TaskTag/${(tagged.json as { taskTag: string }).taskTag}`)).json as TaskTagStatus[])[0] as TaskTagStatus
    if (observed.at(-1) !== s.state) observed.push(s.state)
    if (s.state === 'COMPLETE' || s.state === 'ERROR') break
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const order = ['QUEUED', 'RUNNING', 'COMPLETE']
  assert.deepEqual(observed, order.filter((s) => observed.includes(s)), 'states only move forward')
  assert.equal(observed.at(-1), 'COMPLETE')
})

test('an unknown task tag answers 404, and GET /TaskTag lists tasks', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const res = await client.call('GET', '/TaskTag/999999')
  assert.equal(res.status, 404)
  assert.equal(typeof (res.json as { error: string }).error, 'string')
  const vm = [...sim.state.vms.values()][0] as VmRecord
  const started = await client.call('POST', '/VirDomain/action', [{ virDomainUUID: vm.uuid, actionType: 'NMI' }])
  const list = (await client.call('GET', '/TaskTag')).json as TaskTagStatus[]
  assert.ok(list.some((s) => s.taskTag === (started.json as { taskTag: string }).taskTag))
})
