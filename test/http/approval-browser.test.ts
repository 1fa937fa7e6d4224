import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { HyperCoreClient } from '../../src/scale/client.js'
import { clusterConfigFor } from '../../src/simulator/index.js'
import { buildTestApp, scratchFile, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'
import { launchChromium, skipBrowser, withScreenshot } from '../browser-helper.js'

const OPERATOR = 'operator-token-0123456789abcdef'
const APPROVER = 'approver-token-0123456789abcdef'

async function approvalServer (t: TestContext): Promise<{ url: string, call: (body: unknown) => Promise<{ status: number, json: any }>, vms: Array<{ uuid: string, name: string }> }> {
  const sim = await startTestSimulator(t)
  const client = new HyperCoreClient(clusterConfigFor(sim, { timeoutMs: 10_000 }), { taskPollDelaysMs: [10, 20, 50] })
  t.after(() => client.close())
  const auth = scratchFile('auth.yaml')
  writeFileSync(auth, `- { name: otto, role: operator, token: ${OPERATOR} }\n- { name: abe, role: approver, token: ${APPROVER} }\n`)
  const app = await buildTestApp(t, testConfig({ AUTH_FILE: auth, CONFIRM_VIA: 'approval' }), { cluster: client, clusterInfo: { mode: 'simulator', cluster: client.host } })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const call = async (body: unknown): Promise<{ status: number, json: any }> => {
    const res = await fetch(`${url}/run_api`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: res.status, json: await res.json() }
  }
  const list = await call({ query: '/VirDomain', fields: ['uuid', 'name'] })
  return { url, call, vms: list.json.data }
}

test('approval: a person approves a destructive call on the page, then the retry runs it', { skip: skipBrowser, timeout: 120_000 }, async (t) => {
  const { call, vms } = await approvalServer(t)
  const vm = vms[0] as { uuid: string, name: string }
  const request = { query: `/VirDomain/${vm.uuid}`, method: 'DELETE' }
  const asked = await call(request)
  assert.equal(asked.status, 409)
  assert.equal(asked.json.code, 'CONFIRMATION_REQUIRED')
  const { approveUrl, confirmToken } = asked.json.details
  assert.match(approveUrl, /^http:\/\/127\.0\.0\.1:\d+\/approvals\/[A-Za-z0-9_-]+$/)

  const early = await call({ ...request, confirm: confirmToken })
  assert.equal(early.json.code, 'AWAITING_APPROVAL', 'the model cannot run it before a person approves')

  const page = await (await launchChromium(t)).newPage()
  await withScreenshot(t, page, 'approval-page', async () => {
    await page.goto(approveUrl)
    await page.locator('#token').fill(APPROVER)
    await page.locator('#load').click()
    await page.locator('#preview').waitFor()
    assert.match(await page.locator('#preview').innerText(), new RegExp(`DELETE VM '${vm.name}'`))
    assert.equal(await page.locator('#caller').innerText(), 'otto')
    await page.locator('#approve').click()
    await page.locator('#status', { hasText: 'approved by abe' }).waitFor()
  })

  const ran = await call({ ...request, confirm: confirmToken })
  assert.equal(ran.status, 200, JSON.stringify(ran.json))
  assert.equal((await call({ ...request, confirm: confirmToken })).json.code, 'CONFIRMATION_INVALID', 'an approval runs the call once')
})

test('approval: a rejected call is refused on retry, and an operator token cannot approve', { skip: skipBrowser, timeout: 120_000 }, async (t) => {
  const { url, call, vms } = await approvalServer(t)
  const vm = vms[1] as { uuid: string, name: string }
  const request = { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: vm.uuid, actionType: 'STOP' }] }
  const asked = await call(request)
  const { approveUrl, confirmToken } = asked.json.details

  const page = await (await launchChromium(t)).newPage()
  await withScreenshot(t, page, 'approval-rejected', async () => {
    await page.goto(approveUrl)
    await page.locator('#token').fill(OPERATOR)
    await page.locator('#load').click()
    await page.locator('#status', { hasText: 'Only an admin or approver' }).waitFor()
    await page.locator('#token').fill(APPROVER)
    await page.locator('#load').click()
    await page.locator('#reject').click()
    await page.locator('#status', { hasText: 'rejected by abe' }).waitFor()
  })
  const refused = await call({ ...request, confirm: confirmToken })
  assert.equal(refused.status, 403)
  assert.equal(refused.json.code, 'APPROVAL_REJECTED')
  const direct = await fetch(`${url}${new URL(approveUrl).pathname}/approve`, { method: 'POST', headers: { authorization: `Bearer ${APPROVER}` } })
  assert.equal(direct.status, 409, 'a decided request cannot be decided again')
})
