import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gateSetup, TOKEN, type GateSetup } from './gate-setup.js'

async function firstVm (s: GateSetup): Promise<{ uuid: string, name: string }> {
  const res = await s.call('run_api', { query: '/VirDomain', fields: ['uuid', 'name'] }, 'reader')
  return res.json().data[0]
}

test('the caller who asked for a call cannot approve it; another approver can; every refusal is audited', async (t) => {
  const s = await gateSetup(t, { CONFIRM_VIA: 'approval' })
  const vm = await firstVm(s)
  const request = { query: `/VirDomain/${vm.uuid}`, method: 'DELETE' }
  const asked = await s.call('run_api', request, 'admin')
  assert.equal(asked.json().code, 'CONFIRMATION_REQUIRED')
  const { approveUrl, confirmToken } = asked.json().details
  const id = new URL(approveUrl).pathname.split('/').pop() as string

  // The admin who asked may look at the request, and may withdraw it, but not approve it.
  assert.equal((await s.approval(id, 'request', 'admin')).statusCode, 200)
  const self = await s.approval(id, 'approve', 'admin')
  assert.equal(self.statusCode, 403)
  assert.equal(self.json().code, 'SELF_APPROVAL')
  assert.equal((await s.call('run_api', { ...request, confirm: confirmToken }, 'admin')).json().code, 'AWAITING_APPROVAL')
  // A reader and an operator are refused outright.
  assert.equal((await s.approval(id, 'approve', 'reader')).json().code, 'FORBIDDEN')
  assert.equal((await s.approval(id, 'request', 'operator')).json().code, 'FORBIDDEN')

  assert.equal((await s.approval(id, 'approve', 'approver')).statusCode, 200)
  assert.equal((await s.call('run_api', { ...request, confirm: confirmToken }, 'admin')).statusCode, 200)

  const lines = s.audit()
  const refused = (caller: string, code: string): number => lines.filter((l) => l.caller === caller && l.code === code && l.decision === 'denied').length
  assert.equal(refused('ada', 'SELF_APPROVAL'), 1)
  assert.equal(refused('rita', 'FORBIDDEN'), 1)
  assert.equal(refused('otto', 'FORBIDDEN'), 1)
  assert.ok(lines.some((l) => l.caller === 'ada' && l.code === 'AWAITING_APPROVAL' && l.decision === 'awaiting-approval'), 'the early retry is audited')
  assert.ok(lines.some((l) => l.caller === 'abe' && l.decision === 'approved'))
  // A requester may still withdraw their own request.
  const other = (await s.call('run_api', { query: '/VirDomain', fields: ['uuid'] }, 'reader')).json().data[1].uuid as string
  const second = await s.call('run_api', { query: `/VirDomain/${other}`, method: 'DELETE' }, 'admin')
  const secondId = new URL(second.json().details.approveUrl).pathname.split('/').pop() as string
  assert.equal((await s.approval(secondId, 'reject', 'admin')).json().status, 'rejected')
})

test('APPROVAL_ALLOW_SELF=true lets a single admin approve their own call, and says so at start', async (t) => {
  const s = await gateSetup(t, { CONFIRM_VIA: 'approval', APPROVAL_ALLOW_SELF: 'true' })
  assert.match(s.logs(), /APPROVAL_ALLOW_SELF=true/)
  const vm = await firstVm(s)
  const asked = await s.call('run_api', { query: `/VirDomain/${vm.uuid}`, method: 'DELETE' }, 'admin')
  const id = new URL(asked.json().details.approveUrl).pathname.split('/').pop() as string
  assert.equal((await s.approval(id, 'approve', 'admin')).statusCode, 200)
  assert.match(s.audit().find((l) => l.decision === 'approved')?.message ?? '', /their own request/)
})

test('confirm tokens never reach the audit, although every refusal that hands one out is audited', async (t) => {
  const s = await gateSetup(t)
  const vm = await firstVm(s)
  const tokens: string[] = []
  for (let i = 0; i < 3; i++) {
    const res = await s.call('run_api', { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: vm.uuid, actionType: 'STOP' }] })
    assert.equal(res.json().code, 'CONFIRMATION_REQUIRED')
    tokens.push(res.json().details.confirmToken)
  }
  // A wrong token's refusal quotes nothing of it either.
  await s.call('run_api', { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: vm.uuid, actionType: 'RESET' }], confirm: tokens[0] })
  const text = JSON.stringify(s.audit())
  assert.ok(s.audit().filter((l) => l.decision === 'confirmation-required').length >= 3)
  for (const token of tokens) {
    assert.ok(!text.includes(token), 'no whole token')
    assert.ok(!text.includes(token.split('.')[2] as string), 'not even its signature')
  }
  assert.match(text, /cfm1\.\[redacted\]/)
})

test('a payload sent as JSON text is held to the same depth bound as an object', async (t) => {
  const s = await gateSetup(t)
  const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n)
  for (const n of [1000, 5000, 100_000]) {
    const res = await s.call('run_api', { query: '/VirDomain', method: 'POST', payload: deep(n) })
    assert.equal(res.statusCode, 400, `${n}: ${res.body.slice(0, 200)}`)
    assert.equal(res.json().code, 'PAYLOAD_TOO_DEEP')
  }
  // Brackets inside strings are text, not nesting.
  const flat = JSON.stringify({ dom: { name: '[[[[[[' + '{'.repeat(1000) } })
  assert.notEqual((await s.call('run_api', { query: '/VirDomain', method: 'POST', payload: flat })).json().code, 'PAYLOAD_TOO_DEEP')
  assert.ok(s.audit().filter((l) => l.code === 'PAYLOAD_TOO_DEEP').length >= 3, 'the refusals are audited')
})

test('the shared session: only operators may replace or end it, and read-only mode does not end it', async (t) => {
  const s = await gateSetup(t)
  const reader = await s.call('generate_session', {}, 'reader')
  assert.equal(reader.statusCode, 403)
  assert.equal(reader.json().code, 'FORBIDDEN')
  assert.equal((await s.call('kill_session', {}, 'reader')).json().code, 'FORBIDDEN')
  assert.equal((await s.call('generate_session', {}, 'operator')).statusCode, 200)
  const listed = await s.app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: `Bearer ${TOKEN.reader}` } })
  const paths = Object.keys(listed.json().paths)
  assert.ok(!paths.includes('/generate_session') && !paths.includes('/kill_session'), 'a reader is not offered them')
  assert.ok(paths.includes('/get_session'))

  const ro = await gateSetup(t, { SCALE_MODE: 'read-only' })
  const killed = await ro.call('kill_session', {}, 'admin')
  assert.equal(killed.statusCode, 403)
  assert.equal(killed.json().code, 'READ_ONLY')
  assert.equal((await ro.call('generate_session', {}, 'operator')).statusCode, 200)
  assert.equal(ro.audit().filter((l) => l.tool === 'kill_session' && l.code === 'READ_ONLY').length, 1)
})
