import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { HyperCoreClient } from '../../src/scale/client.js'
import { clusterConfigFor } from '../../src/simulator/index.js'
import { auditLines, buildTestApp, scratchFile, testConfig } from '../helper.js'
import { freePort } from '../redis-helper.js'
import { startTestSimulator } from '../simulator-helper.js'
import { browse, startProvider } from './provider-helper.js'

test('the approval page signs an approver in with the identity provider: a cookie for /approvals, CSRF-safe, never the requester\'s own call', { timeout: 60_000 }, async (t) => {
  const port = await freePort()
  const publicUrl = `http://127.0.0.1:${port}`
  const provider = await startProvider(t, {
    clients: [{ id: 'approval-page', redirectUris: [`${publicUrl}/approvals/callback`] }],
    accounts: { bob: { email: 'bob@corp.example', groups: ['scale-approvers'] }, eve: { email: 'eve@corp.example', groups: ['marketing'] } }
  })
  const authFile = scratchFile('approval-sign-in.yaml')
  writeFileSync(authFile, [
    'callers:',
    '  - { name: ci-bot, role: operator, token: ci-bot-token-0123456789abcdef }',
    // A static caller with the same name as the person: the same person, who may not approve their own call.
    '  - { name: bob@corp.example, role: operator, token: bobs-script-token-0123456789ab }',
    'identities:',
    '  - { group: scale-approvers, role: approver }',
    ''
  ].join('\n'))
  const audit = scratchFile('approval-sign-in-audit.jsonl')
  const sim = await startTestSimulator(t)
  const cluster = new HyperCoreClient(clusterConfigFor(sim, { timeoutMs: 10_000 }))
  t.after(() => cluster.close())
  const config = testConfig({ OAUTH_ISSUER: provider.issuer, PUBLIC_URL: publicUrl, OAUTH_CLIENT_ID: 'approval-page', AUTH_FILE: authFile, CONFIRM_VIA: 'approval', SCALE_AUDIT_FILE: audit })
  const app = await buildTestApp(t, config, { cluster, clusterInfo: { mode: 'simulator', cluster: cluster.host } })
  await app.listen({ port, host: '127.0.0.1' })

  const vms = [...sim.state.vms.values()].filter((v) => v.state === 'RUNNING')
  const ask = async (token: string, uuid: string): Promise<{ id: string, confirm: string }> => {
    const res = await fetch(`${publicUrl}/run_api`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: uuid, actionType: 'STOP' }] }) })
    const body = await res.json() as { details: { approveUrl: string, confirmToken: string } }
    return { id: new URL(body.details.approveUrl).pathname.split('/').at(-1) ?? '', confirm: body.details.confirmToken }
  }
  const asked = await ask('ci-bot-token-0123456789abcdef', vms[0]?.uuid ?? '')

  // The page offers the sign-in; following it goes to the provider and back, and lands on the approval page.
  const page = await (await fetch(`${publicUrl}/approvals/${asked.id}`)).text()
  assert.match(page, /<p id="sso">/, 'the sign-in link is shown')
  const browser = await browse(`${publicUrl}/approvals/sign-in?next=${asked.id}`, 'bob', (u) => u.origin === publicUrl && u.pathname === `/approvals/${asked.id}`)
  assert.ok(browser.cookies.has('sah_approver'), 'signed in')
  assert.ok(!browser.cookies.has('sah_sign_in'), 'the sign-in cookie is cleared')
  const withCookie = (method: string, path: string, origin?: string): Promise<Response> => fetch(`${publicUrl}/approvals/${path}`, { method, headers: { cookie: browser.cookieHeader(), ...(origin === undefined ? {} : { origin }) } })
  const shown = await withCookie('GET', `${asked.id}/request`)
  assert.equal(shown.status, 200)
  assert.equal((await shown.json() as { caller: string }).caller, 'ci-bot')
  // Another site's form or script carries the cookie too: without our Origin it decides nothing.
  const forged = await withCookie('POST', `${asked.id}/approve`)
  assert.equal(forged.status, 403)
  const elsewhere = await withCookie('POST', `${asked.id}/approve`, 'https://evil.example')
  assert.equal(elsewhere.status, 403)
  const approved = await withCookie('POST', `${asked.id}/approve`, publicUrl)
  assert.equal(approved.status, 200, await approved.clone().text())
  assert.equal((await approved.json() as { decidedBy: string }).decidedBy, 'bob@corp.example')
  assert.ok(auditLines(audit).some((l) => l.caller === 'bob@corp.example' && /approv/.test(JSON.stringify(l))), 'the audit names the approver')

  // Bob's own call (his script's token has his name): signed in as bob, he cannot approve it.
  const own = await ask('bobs-script-token-0123456789ab', vms[1]?.uuid ?? '')
  const self = await withCookie('POST', `${own.id}/approve`, publicUrl)
  assert.equal(self.status, 403)
  assert.equal((await self.json() as { code: string }).code, 'SELF_APPROVAL')

  // Someone signed in whom no rule gives a role gets no cookie; a forged cookie is no sign-in.
  await assert.rejects(browse(`${publicUrl}/approvals/sign-in?next=${asked.id}`, 'eve', (u) => u.pathname === `/approvals/${asked.id}`), /no form on the page \(403/)
  const fake = await fetch(`${publicUrl}/approvals/${asked.id}/request`, { headers: { cookie: `sah_approver=${Buffer.from(JSON.stringify({ kind: 'approver', name: 'mallory', role: 'admin', exp: Date.now() + 60_000 })).toString('base64url')}.AAAA` } })
  assert.equal(fake.status, 401)
  // A callback that did not begin in this browser is refused.
  const stray = await fetch(`${publicUrl}/approvals/callback?code=abc&state=xyz`)
  assert.equal(stray.status, 400)
  assert.equal((await stray.json() as { code: string }).code, 'SIGN_IN_FAILED')
})
