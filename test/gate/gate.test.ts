import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gateSetup, TOKEN, type GateSetup, type Reply, type Who } from './gate-setup.js'

async function vms (g: GateSetup): Promise<Array<{ uuid: string, name: string, state: string, snapUUIDs: string[], blockDevs: Array<{ type: string }> }>> {
  const res = await g.call('run_api', { query: '/VirDomain', fields: ['uuid', 'name', 'state', 'snapUUIDs', 'blockDevs'] }, 'reader')
  assert.equal(res.statusCode, 200, res.body)
  return res.json().data
}

test('every mode × role: reads for all, changes for operators and admins, destructive calls confirmed in confirm mode', async (t) => {
  for (const mode of ['read-only', 'confirm', 'full'] as const) {
    const g = await gateSetup(t, { SCALE_MODE: mode })
    const all = await vms(g)
    let victim = 0
    for (const who of ['reader', 'operator', 'admin'] as const) {
      const vm = all[victim] as { uuid: string }
      const read = await g.call('run_api', { query: '/VirDomain', fields: ['uuid'] }, who)
      const change = await g.call('run_api', { query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: vm.uuid, label: `by-${who}` } }, who)
      const destroy = await g.call('run_api', { query: `/VirDomain/${vm.uuid}`, method: 'DELETE' }, who)
      const outcome = [read, change, destroy].map((r) => r.statusCode === 200 ? 'ok' : r.json().code)
      const changer = who !== 'reader'
      const expected = [
        'ok',
        !changer ? 'FORBIDDEN' : mode === 'read-only' ? 'READ_ONLY' : 'ok',
        !changer ? 'FORBIDDEN' : mode === 'read-only' ? 'READ_ONLY' : mode === 'confirm' ? 'CONFIRMATION_REQUIRED' : 'ok'
      ]
      assert.deepEqual(outcome, expected, `${mode} × ${who}: ${destroy.body}`)
      if (destroy.statusCode === 200) victim++
    }
  }
})

test('a reader is offered run_api with GET only, and only admins are offered audit_log', async (t) => {
  const g = await gateSetup(t)
  const doc = async (who?: Who): Promise<any> => (await g.app.inject({ method: 'GET', url: '/openapi.json', headers: who === undefined ? {} : { authorization: `Bearer ${TOKEN[who]}` } })).json()
  const methodEnum = (d: any): string[] => d.paths['/run_api'].post.requestBody.content['application/json'].schema.properties.method.enum
  assert.deepEqual(methodEnum(await doc('reader')), ['GET'])
  assert.deepEqual(methodEnum(await doc('operator')), ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
  assert.equal((await doc('operator')).paths['/audit_log'], undefined)
  assert.equal((await doc()).paths['/audit_log'], undefined)
  assert.ok((await doc('admin')).paths['/audit_log'])
  const refused = await g.call('audit_log', {}, 'operator')
  assert.equal(refused.statusCode, 403)
  assert.equal(refused.json().code, 'FORBIDDEN')
  const wrong = await g.app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: 'Bearer not-a-valid-token-at-all' } })
  assert.equal(wrong.statusCode, 401)
  assert.equal(wrong.json().code, 'UNAUTHORIZED')
})

test('the confirmation preview names the VM, its state, its disks and snapshots', async (t) => {
  const g = await gateSetup(t)
  const vm = (await vms(g)).find((v) => v.state === 'RUNNING' && v.snapUUIDs.length > 0) ?? (await vms(g))[0]
  assert.ok(vm !== undefined)
  const disks = vm.blockDevs.filter((d) => d.type !== 'IDE_CDROM').length
  const res = await g.call('run_api', { query: `/VirDomain/${vm.uuid}`, method: 'DELETE' })
  assert.equal(res.statusCode, 409)
  const body = res.json()
  assert.equal(body.code, 'CONFIRMATION_REQUIRED')
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
  assert.equal(body.details.previews[0].text, `DELETE VM '${vm.name}' (${vm.state}, ${plural(disks, 'disk')}, ${plural(vm.snapUUIDs.length, 'snapshot')})`)
  assert.match(body.message, new RegExp(`DELETE VM '${vm.name}'`))
  assert.match(body.message, /"confirm": "cfm1\./)

  const stop = await g.call('run_api', { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: vm.uuid, actionType: 'STOP' }] })
  assert.equal(stop.json().code, 'CONFIRMATION_REQUIRED')
  assert.match(stop.json().details.preview, new RegExp(`^STOP VM '${vm.name}' \\(${vm.state}`))
})

test('a confirm token runs its call once, only for that caller, path and payload, and expires', async (t) => {
  const g = await gateSetup(t)
  const [a, b] = await vms(g)
  assert.ok(a !== undefined && b !== undefined)
  const ask = async (body: Record<string, unknown>, who: Who = 'operator'): Promise<string> => {
    const res = await g.call('run_api', body, who)
    assert.equal(res.json().code, 'CONFIRMATION_REQUIRED', res.body)
    return res.json().details.confirmToken
  }
  const stopA = { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: a.uuid, actionType: 'STOP' }] }
  const token = await ask(stopA)

  const reasonOf = (res: Reply): string => { assert.equal(res.json().code, 'CONFIRMATION_INVALID', res.body); return res.json().details.reason }
  assert.equal(reasonOf(await g.call('run_api', { ...stopA, payload: [{ virDomainUUID: a.uuid, actionType: 'RESET' }], confirm: token })), 'other-call')
  assert.equal(reasonOf(await g.call('run_api', { ...stopA, payload: [{ virDomainUUID: b.uuid, actionType: 'STOP' }], confirm: token })), 'other-call')
  assert.equal(reasonOf(await g.call('run_api', { query: `/VirDomain/${a.uuid}`, method: 'DELETE', confirm: token })), 'other-call')
  assert.equal(reasonOf(await g.call('run_api', { ...stopA, confirm: token }, 'admin')), 'other-caller')
  assert.equal(reasonOf(await g.call('run_api', { ...stopA, confirm: token.slice(0, -2) + 'xx' })), 'signature')

  const ran = await g.call('run_api', { ...stopA, confirm: token, wait: true })
  assert.equal(ran.statusCode, 200, ran.body)
  assert.equal(ran.json().task.state, 'COMPLETE')
  assert.equal(reasonOf(await g.call('run_api', { ...stopA, confirm: token })), 'used')

  const later = await ask({ query: `/VirDomain/${b.uuid}`, method: 'DELETE' })
  g.advance(5 * 60 * 1000)
  assert.equal(reasonOf(await g.call('run_api', { query: `/VirDomain/${b.uuid}`, method: 'DELETE', confirm: later })), 'expired')
  assert.equal((await g.call('run_api', { query: `/VirDomain/${b.uuid}` }, 'reader')).statusCode, 200, 'the VM is still there')
})

test('the audit records allowed, denied, confirmation-required and confirmed calls, with secrets masked', async (t) => {
  const g = await gateSetup(t)
  const [vm] = await vms(g)
  assert.ok(vm !== undefined)
  const secret = 'Sm7p-S3cret pass/word'
  const smtp = await g.call('run_api', { query: '/AlertSMTPConfig/smtpconfig_guid', method: 'PATCH', payload: { smtpServer: 'mail.example', authUser: 'alerts', authPassword: secret, useAuth: true } })
  assert.equal(smtp.statusCode, 200, smtp.body)
  assert.equal((await g.call('run_api', { query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: vm.uuid, label: 'x' } }, 'reader')).statusCode, 403)
  const asked = await g.call('run_api', { query: `/VirDomain/${vm.uuid}`, method: 'DELETE' })
  const confirmed = await g.call('run_api', { query: `/VirDomain/${vm.uuid}`, method: 'DELETE', confirm: asked.json().details.confirmToken })
  assert.equal(confirmed.statusCode, 200, confirmed.body)
  await g.call('run_api', { query: '/%2e%2e/login', method: 'POST', payload: {} })

  const lines = g.audit()
  const decisions = lines.filter((l) => l.phase === 'decision').map((l) => `${l.decision} ${l.caller} ${l.calls[0]?.method ?? ''} ${l.calls[0]?.path ?? ''}`.trim())
  assert.deepEqual(decisions, [
    'allowed otto PATCH /AlertSMTPConfig/smtpconfig_guid',
    'denied rita POST /VirDomainSnapshot',
    `confirmation-required otto DELETE /VirDomain/${vm.uuid}`,
    `confirmed otto DELETE /VirDomain/${vm.uuid}`,
    'denied otto'
  ])
  const results = lines.filter((l) => l.phase === 'result')
  assert.equal(results.length, 2)
  for (const r of results) {
    assert.equal(r.status, 200)
    assert.ok(typeof r.durationMs === 'number')
    assert.equal(r.transport, 'http')
    assert.equal(r.role, 'operator')
  }
  assert.ok(results.some((r) => typeof r.taskTag === 'string' && r.taskTag !== ''), JSON.stringify(results))
  const patch = lines.find((l) => l.calls[0]?.path === '/AlertSMTPConfig/smtpconfig_guid')
  assert.equal(patch?.payload.authPassword, '[redacted]')
  assert.equal(patch?.payload.smtpServer, 'mail.example')
  assert.equal(lines.find((l) => l.decision === 'denied' && l.caller === 'rita')?.code, 'FORBIDDEN')
  assert.equal(lines.at(-1)?.code, 'PATH_NOT_ALLOWED')
  const everything = JSON.stringify(lines) + g.logs()
  for (const leaked of [secret, ...Object.values(TOKEN)]) assert.ok(!everything.includes(leaked), `${leaked} leaked`)

  const read = await g.call('audit_log', { limit: 3 }, 'admin')
  assert.equal(read.statusCode, 200, read.body)
  assert.equal(read.json().count, 3)
  assert.equal(read.json().entries[0].code, 'PATH_NOT_ALLOWED', 'newest first')
  assert.equal(read.json().entries[1].decision, 'confirmed')
  assert.equal(read.json().entries[1].status, 200, 'the result line completes the decision line')
  const byRita = await g.call('audit_log', { caller: 'rita' }, 'admin')
  assert.deepEqual(byRita.json().entries.map((e: { caller: string }) => e.caller), ['rita'])
})

test('when the audit cannot be written the call fails closed with 503 and the cluster is not touched', async (t) => {
  const g = await gateSetup(t, { SCALE_AUDIT_FILE: '/dev/full' })
  const [vm] = await vms(g)
  assert.ok(vm !== undefined)
  const before = g.sim.state.collection('VirDomainSnapshot').size
  const res = await g.call('run_api', { query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: vm.uuid, label: 'never' } })
  assert.equal(res.statusCode, 503)
  assert.equal(res.json().code, 'AUDIT_UNAVAILABLE')
  await g.sim.tasks.drain()
  assert.equal(g.sim.state.collection('VirDomainSnapshot').size, before)
  // Reads are not audited, so they still work.
  assert.equal((await g.call('run_api', { query: '/VirDomainSnapshot', maxItems: 1 })).statusCode, 200)
})

test('each caller is limited per minute: 429 with Retry-After in our error shape', async (t) => {
  const g = await gateSetup(t, { RATE_LIMIT_PER_MINUTE: '3' })
  const describe = { method: 'GET', path: '/VirDomain' }
  for (let i = 0; i < 3; i++) assert.equal((await g.call('describe_endpoint', describe)).statusCode, 200)
  const limited = await g.call('describe_endpoint', describe)
  assert.equal(limited.statusCode, 429)
  assert.equal(limited.json().code, 'RATE_LIMITED')
  assert.match(limited.json().message, /otto/)
  assert.ok(Number(limited.headers['retry-after']) > 0 && Number(limited.headers['retry-after']) <= 60)
  assert.equal((await g.call('describe_endpoint', describe, 'admin')).statusCode, 200, 'another caller has its own budget')
  g.advance(61_000)
  assert.equal((await g.call('describe_endpoint', describe)).statusCode, 200, 'the window resets')
})

test('the input is validated by the gate: bounded errors, no coercion, nothing sent', async (t) => {
  const g = await gateSetup(t)
  const coerced = await g.call('run_api', { query: '/VirDomain', fields: true })
  assert.equal(coerced.json().code, 'VALIDATION_ERROR')
  assert.match(coerced.json().message, /fields must be an array/)
  assert.equal((await g.call('run_api', { query: ['/Node'] })).json().code, 'VALIDATION_ERROR')
  assert.equal((await g.call('run_api', { query: true })).json().code, 'VALIDATION_ERROR')

  // About 4.8 MiB of wrong items: one bounded 400, the first issues only.
  const huge = Array.from({ length: 120_000 }, () => ({ virDomainUUID: 1, actionType: 'NOPE' }))
  const res = await g.call('run_api', { query: '/VirDomain/action', method: 'POST', payload: huge })
  assert.equal(res.statusCode, 400)
  assert.equal(res.json().code, 'PAYLOAD_INVALID')
  assert.ok(res.body.length < 8000, `answer is ${res.body.length} bytes`)
  assert.ok(res.json().details.errors.length <= 20)

  // Sent as text: serialising 5,000 levels would overflow the test's own stack.
  const deep = `{"query": "/Nowhere", "method": "POST", "payload": ${'['.repeat(5000)}"x"${']'.repeat(5000)}}`
  const tooDeep = await g.app.inject({ method: 'POST', url: '/run_api', headers: { authorization: `Bearer ${TOKEN.operator}`, 'content-type': 'application/json' }, payload: deep })
  assert.equal(tooDeep.statusCode, 400)
  assert.equal(tooDeep.json().code, 'PAYLOAD_TOO_DEEP')
})
