import assert from 'node:assert/strict'
import { request as httpRequest, type ClientRequest } from 'node:http'
import { test, type TestContext } from 'node:test'
import type { AuditEntry } from '../../src/gate/audit.js'
import { mcpSetup, rawRequest, TOKEN, v2Client, type McpSetup, type Who } from './mcp-helper.js'
import { ModernCalls } from '../../src/faces/mcp-http/modern-calls.js'
import { listVms } from './scenarios.js'

// A 2026-07-28 message as a client sends it raw: the envelope in _meta and the standard headers.
const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' }, 'io.modelcontextprotocol/clientCapabilities': {} }

function headers (who: Who, method: string, name?: string): Record<string, string> {
  return { authorization: `Bearer ${TOKEN[who]}`, 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(name === undefined ? {} : { 'mcp-name': name }) }
}

/** Starts a waited snapshot of a VM as a raw 2026-07-28 tools/call (id 7) and resolves once the gate has let it run. */
async function startWaitedCall (t: TestContext, s: McpSetup, label: string): Promise<{ req: ClientRequest, answered: Promise<number>, decision: AuditEntry }> {
  const [vm] = await listVms(await v2Client(t, s.url, { token: TOKEN.operator }))
  assert.ok(vm !== undefined)
  const body = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'run_api', arguments: { query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: vm.uuid, label }, wait: 600 }, _meta: META } }
  let req: ClientRequest | undefined
  const answered = new Promise<number>((resolve) => {
    req = httpRequest(s.url, { agent: false, method: 'POST', headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...headers('operator', 'tools/call', 'run_api') } }, (res) => {
      res.resume()
      res.on('end', () => { resolve(res.statusCode ?? 0) })
    })
    req.on('error', () => { resolve(0) })
    req.end(JSON.stringify(body))
  })
  const decision = await s.audit.waitFor((e) => e.phase === 'decision' && JSON.stringify(e.payload ?? '').includes(label))
  return { req: req as ClientRequest, answered, decision }
}

async function cancelled (who: Who, s: McpSetup, requestId: number): Promise<number> {
  const notification = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'the person stopped it', _meta: META } }
  return (await rawRequest(s.url, headers(who, 'notifications/cancelled'), notification)).status
}

test('2026-07-28: a tools/call whose connection the client closes is cancelled (the wait stops, the task goes on)', { timeout: 60_000 }, async (t) => {
  const s = await mcpSetup(t)
  const call = await startWaitedCall(t, s, 'closed-stream')
  call.req.destroy()
  // Only the cancellation ends the call: the task waits for the test's clock, which never moves.
  const result = await s.audit.waitFor((e) => e.phase === 'result' && e.id === call.decision.id)
  assert.ok(result.code === 'CANCELLED' || result.status === 200, JSON.stringify(result))
})

test('2026-07-28: a notifications/cancelled POSTed on its own (as mcp-remote forwards a host\'s cancel) cancels the call it names', { timeout: 60_000 }, async (t) => {
  const s = await mcpSetup(t)
  const call = await startWaitedCall(t, s, 'cancelled-by-id')
  assert.equal(await cancelled('operator', s, 7), 202)
  const result = await s.audit.waitFor((e) => e.phase === 'result' && e.id === call.decision.id)
  assert.ok(result.code === 'CANCELLED' || result.status === 200, JSON.stringify(result))
  await call.answered
})

test('2026-07-28: another caller\'s notifications/cancelled with the same id changes nothing', { timeout: 60_000 }, async (t) => {
  const s = await mcpSetup(t)
  const call = await startWaitedCall(t, s, 'not-yours')
  assert.equal(await cancelled('admin', s, 7), 202)
  assert.equal(await cancelled('operator', s, 8), 202, 'an id with no call under way is ignored')
  s.clock.advance(60_000)
  assert.equal(await call.answered, 200)
  const result = await s.audit.waitFor((e) => e.phase === 'result' && e.id === call.decision.id)
  assert.equal(result.code, undefined, JSON.stringify(result))
  assert.equal(result.status, 200)
})

test('a notifications/cancelled cancels only a request of that caller with that id, and never guesses between two', () => {
  const calls = new ModernCalls()
  const exchange = new AbortController().signal
  const pending = new Promise<void>(() => {})
  let finish: () => void = () => {}
  const one = calls.track('otto', { jsonrpc: '2.0', id: 1, method: 'tools/call' }, exchange, new Promise((resolve) => { finish = resolve }))
  const twinA = calls.track('otto', { jsonrpc: '2.0', id: 'x', method: 'tools/call' }, exchange, pending)
  const twinB = calls.track('otto', { jsonrpc: '2.0', id: 'x', method: 'tools/call' }, exchange, pending)
  const cancel = (id: unknown): Record<string, unknown> => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } })
  assert.equal(calls.track('otto', cancel(1), exchange, pending), exchange, 'a notification is not tracked')
  assert.equal(calls.cancel('ada', cancel(1)), false)
  assert.equal(calls.cancel('otto', cancel('1')), false, 'the id "1" is not the id 1')
  assert.equal(calls.cancel('otto', cancel('x')), false)
  assert.equal(twinA.aborted || twinB.aborted, false)
  assert.equal(calls.cancel('otto', cancel(1)), true)
  assert.equal(one.aborted, true)
  finish()
})
