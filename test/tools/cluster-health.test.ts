import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toolSetup } from './setup.js'

test('cluster_health on the seeded cluster: its name and version, three nodes, the raised conditions only, VMs by state', async (t) => {
  const s = await toolSetup(t)
  const body = await s.ok('cluster_health', {}, 'reader')
  assert.equal(body.cluster, 'hc3-prod')
  assert.equal(body.version, '9.4.30.217736')
  assert.deepEqual(body.nodes.map((n: { node: string, online: boolean }) => [n.node, n.online]), [['127.0.0.1', true], ['127.0.0.2', true], ['127.0.0.3', true]])
  for (const node of body.nodes) {
    assert.match(node.cpu, /^\d+(\.\d)?%$/)
    assert.match(node.memory, /^\d+% of 512 GiB$/)
    assert.match(node.disk, /^\d+% of \d+(\.\d)? TiB$/)
  }
  assert.equal(body.nodes.reduce((sum: number, n: { vms: number }) => sum + n.vms, 0), 9, 'eight running VMs and one paused one hold a node')
  assert.deepEqual(body.conditions.map((c: { severity: string, name: string }) => `${c.severity} ${c.name}`), ['WARNING DriveTemperatureHigh', 'NOTICE SnapshotScheduleMissed'])
  assert.equal(body.conditions[0].node, '127.0.0.2')
  assert.deepEqual(body.vms, { total: 12, byState: [{ state: 'RUNNING', count: 8 }, { state: 'SHUTOFF', count: 2 }, { state: 'CRASHED', count: 1 }, { state: 'PAUSED', count: 1 }] })
  assert.deepEqual(body.drivesNotHealthy, [])
  assert.equal(body.update.state, 'unknown', 'a cluster that never updated has no status file')
  assert.deepEqual(body.problems, [
    'WARNING DriveTemperatureHigh on 127.0.0.2: A drive in the node runs hotter than 55 °C',
    '1 VM(s) CRASHED: k8s-worker-03.'
  ])
  assert.equal(body.ok, false)
  assert.match(body.summary, /^2 problems, the first: WARNING DriveTemperatureHigh .* \(3 of 3 nodes online, 12 VMs \(8 running\)\)\.$/)
})

test('cluster_health raises an injected condition and a failed drive, most serious first, and says when all is well', async (t) => {
  const s = await toolSetup(t)
  const node3 = [...s.sim.state.nodes.values()].find((n) => n.peerID === 3)
  assert.ok(node3 !== undefined)
  const conditions = [...s.sim.state.collection('Condition').values()]
  const psu = conditions.find((c) => c.name === 'PowerSupplyFailure')
  assert.ok(psu !== undefined)
  Object.assign(psu, { value: true, isOK: false, nodeUUID: node3.uuid, nodeLANIP: node3.lanIP })
  const drive = [...s.sim.state.collection('Drive').values()].find((d) => d.nodeUUID === node3.uuid && d.slot === 2)
  assert.ok(drive !== undefined)
  Object.assign(drive, { isHealthy: false, errorCount: 12 })

  const sick = await s.ok('cluster_health', {})
  assert.deepEqual(sick.conditions.map((c: { severity: string, name: string, node: string }) => `${c.severity} ${c.name} ${c.node}`), [
    'ERROR PowerSupplyFailure 127.0.0.3', 'WARNING DriveTemperatureHigh 127.0.0.2', 'NOTICE SnapshotScheduleMissed '
  ])
  assert.deepEqual(sick.drivesNotHealthy, [{ node: '127.0.0.3', slot: 2, type: 'HDD', model: drive.model, serialNumber: drive.serialNumber, problem: `reported unhealthy, 12 errors, ${String(drive.temperature)} °C` }])
  assert.match(sick.problems[0], /^ERROR PowerSupplyFailure on 127\.0\.0\.3: A power supply failed$/)
  assert.ok(sick.problems.some((p: string) => p.startsWith('Drive in slot 2 of node 127.0.0.3 (HDD')), JSON.stringify(sick.problems))
  assert.equal(sick.ok, false)

  // Everything put right: nothing raised above NOTICE, every drive healthy, no VM crashed.
  for (const c of conditions) if (c.severity !== 'NOTICE') Object.assign(c, { value: false, isOK: true })
  Object.assign(drive, { isHealthy: true, errorCount: 0 })
  await s.ok('vm_action', { vm: 'k8s-worker-03', action: 'START' })
  const well = await s.ok('cluster_health', {})
  assert.equal(well.ok, true, JSON.stringify(well.problems))
  assert.deepEqual(well.problems, [])
  assert.equal(well.summary, 'Nothing is wrong: 3 of 3 nodes online, 12 VMs (9 running).')
  assert.deepEqual(well.conditions.map((c: { name: string }) => c.name), ['SnapshotScheduleMissed'], 'a NOTICE is shown but is not a problem')
})

test('cluster_health names an offline node and an update in progress', async (t) => {
  const s = await toolSetup(t)
  const node2 = [...s.sim.state.nodes.values()].find((n) => n.peerID === 2)
  assert.ok(node2 !== undefined)
  s.sim.state.downNodes.add(node2.uuid)
  s.sim.startUpdate()
  s.clock.advance(7_500)
  const body = await s.ok('cluster_health', {})
  assert.equal(body.nodes.find((n: { node: string }) => n.node === '127.0.0.2').online, false)
  assert.equal(body.update.state, 'updating')
  assert.equal(body.update.phase, 'preparing')
  assert.match(body.problems[0], /^An update .*is in progress.*preparing: the API may hang or refuse changes until it is done\.$/)
  assert.ok(body.problems.includes('Node 127.0.0.2 is offline.'), JSON.stringify(body.problems))
  assert.match(body.summary, /2 of 3 nodes online/)
})
