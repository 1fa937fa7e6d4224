import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { auditLines, scratchFile } from '../helper.js'
import { callAs, FLEET_TOKENS, fleetApp } from './fleet-helper.js'

test('a confirm token is bound to its cluster: refused on another, accepted on its own; the preview and the audit name the cluster', async (t) => {
  const { app, config } = await fleetApp(t)
  const stop = { vm: 'web01', action: 'stop' }
  const asked = await callAs(app, FLEET_TOKENS.eastOperator, 'vm_action', { cluster: 'store-01', ...stop })
  assert.equal(asked.json.code, 'CONFIRMATION_REQUIRED', asked.text)
  assert.match(asked.json.message, /on the cluster "store-01"/)
  const token = asked.json.details.confirmToken as string
  const elsewhere = await callAs(app, FLEET_TOKENS.eastOperator, 'vm_action', { cluster: 'store-03', ...stop, confirm: token })
  assert.equal(elsewhere.json.code, 'CONFIRMATION_INVALID', elsewhere.text)
  assert.match(elsewhere.json.message, /another cluster/)
  const done = await callAs(app, FLEET_TOKENS.eastOperator, 'vm_action', { cluster: 'store-01', ...stop, confirm: token })
  assert.equal(done.status, 200, done.text)
  assert.equal(done.json.state, 'SHUTOFF')
  // Only store-01's VM stopped.
  const other = await callAs(app, FLEET_TOKENS.eastOperator, 'get_vm', { cluster: 'store-03', vm: 'web01' })
  assert.equal(other.json.state, 'RUNNING', other.text)
  const lines = auditLines(config.safety.auditFile).filter((l) => l.tool === 'vm_action')
  assert.deepEqual(lines.map((l) => [l.cluster, l.decision, l.phase]), [
    ['store-01', 'confirmation-required', 'decision'],
    ['store-03', 'denied', 'decision'],
    ['store-01', 'confirmed', 'decision'],
    ['store-01', 'confirmed', 'result']
  ])
})

test('policy rules can name clusters and tags: a deny on one cluster leaves the others as they were', async (t) => {
  const policy = scratchFile('fleet-policy.yaml')
  writeFileSync(policy, [
    'deny:',
    '  - { cluster: store-03, method: change, reason: store 3 is frozen }',
    '  - { clusterTag: pos, resource: VirDomainSnapshot, method: DELETE }',
    ''
  ].join('\n'))
  const { app } = await fleetApp(t, { SCALE_POLICY_FILE: policy })
  const frozen = await callAs(app, FLEET_TOKENS.admin, 'vm_action', { cluster: 'store-03', vm: 'web01', action: 'stop' })
  assert.equal(frozen.json.code, 'POLICY_DENIED', frozen.text)
  assert.match(frozen.json.message, /store 3 is frozen/)
  const open = await callAs(app, FLEET_TOKENS.admin, 'vm_action', { cluster: 'store-02', vm: 'web01', action: 'stop' })
  assert.equal(open.json.code, 'CONFIRMATION_REQUIRED', open.text)
  // Reads on the frozen cluster still work.
  const read = await callAs(app, FLEET_TOKENS.admin, 'get_vm', { cluster: 'store-03', vm: 'web01' })
  assert.equal(read.status, 200, read.text)
})

test('a reader scoped to two clusters reads them but changes none', async (t) => {
  const { app } = await fleetApp(t)
  const change = await callAs(app, FLEET_TOKENS.eastReader, 'vm_action', { cluster: 'store-01', vm: 'web01', action: 'stop' })
  assert.equal(change.json.code, 'FORBIDDEN', change.text)
})
