import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toolSetup } from './setup.js'

const PASSWORD = 'Pa55-w0rd!export'
const SHARE = `smb://backup:${PASSWORD}@nas01/vmshare/exports`

test('export_vm and import_vm round-trip a VM through an SMB share; the password appears in no answer, audit line or log', async (t) => {
  const s = await toolSetup(t)
  const exported = await s.call('export_vm', { vm: 'dc02', target: SHARE })
  assert.equal(exported.statusCode, 200, exported.body)
  assert.equal(exported.json().ok, true)
  assert.equal(exported.json().target, 'smb://backup:***@nas01/vmshare/exports')
  assert.deepEqual(exported.json().task, { state: 'COMPLETE', progressPercent: 100 })
  assert.equal(s.sim.state.exports.size, 1)

  const imported = await s.call('import_vm', { source: SHARE, name: 'dc02-restored' })
  assert.equal(imported.statusCode, 200, imported.body)
  assert.equal(imported.json().source, 'smb://backup:***@nas01/vmshare/exports')
  assert.equal(imported.json().vm.name, 'dc02-restored')
  assert.equal(imported.json().vm.state, 'SHUTOFF')
  const restored = s.sim.state.vms.get(imported.json().vm.uuid)
  assert.equal(restored?.numVCPU, s.vm('dc02').numVCPU)

  const missing = await s.call('import_vm', { source: `smb://backup:${PASSWORD}@nas01/vmshare/nothing-here`, name: 'ghost' })
  assert.equal(missing.statusCode, 200)
  assert.equal(missing.json().ok, false)
  assert.match(missing.json().task.error, /No exported VM definition was found/)

  const status = await s.call('task_status', { taskTag: missing.json().taskTag })
  const badScheme = await s.call('export_vm', { vm: 'dc02', target: `ftp://backup:${PASSWORD}@nas01/x` })
  assert.equal(badScheme.statusCode, 400)
  assert.deepEqual(badScheme.json().details.fields.map((f: { field: string }) => f.field), ['target'])
  const noShare = await s.call('import_vm', { source: `smb://backup:${PASSWORD}@nas01`, name: 'x' })
  assert.equal(noShare.statusCode, 400)

  assert.match(s.logs(), /\/export_vm/, 'the logs saw the calls')
  const audit = JSON.stringify(s.audit())
  assert.ok(audit.includes('/export') && audit.includes('/VirDomain/import'), 'the changes were audited')
  const seen: Array<[string, string]> = [['export', exported.body], ['import', imported.body], ['failed import', missing.body], ['task_status', status.body],
    ['refusal', badScheme.body], ['refusal', noShare.body], ['audit', audit], ['logs', s.logs()]]
  for (const [where, text] of seen) {
    assert.ok(!text.includes(PASSWORD), `the password leaked into the ${where}`)
  }
})
