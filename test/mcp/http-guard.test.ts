import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { test, type TestContext } from 'node:test'
import { fetchVia127, INITIALIZE, mcpSetup, rawRequest, TOKEN, v1HttpClient, v2Client, type McpTestClient } from './mcp-helper.js'
import { listVms } from './scenarios.js'

const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list' }
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })
const in2025 = (id: string): Record<string, string> => ({ 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' })

/** Opens a 2025 session with raw requests; answers its id. */
async function openSession (url: URL, token: string): Promise<string> {
  const res = await rawRequest(url, bearer(token), INITIALIZE)
  assert.equal(res.status, 200, res.text)
  const id = res.headers['mcp-session-id']
  assert.ok(typeof id === 'string' && id !== '')
  return id
}

/** Opens the session's GET stream; resolves with its first bytes, which come at once (the stream stays open until the test ends). */
async function openStream (t: TestContext, url: URL, token: string, id: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, method: 'GET', headers: { accept: 'text/event-stream', ...bearer(token), ...in2025(id) } }, (res) => {
      res.setEncoding('utf8')
      res.once('data', resolve)
      // Read it as a client does; an unread stream would hold the server's close until the socket times out.
      res.resume()
    })
    req.on('error', reject)
    t.after(() => { req.destroy() })
    req.end()
  })
}

test('without a token /mcp answers 401 with WWW-Authenticate; with a wrong one (no OAuth here) 403 INVALID_TOKEN; SDK clients cannot connect', async (t) => {
  const s = await mcpSetup(t)
  const none = await rawRequest(s.url, {}, INITIALIZE)
  assert.equal(none.status, 401)
  assert.equal(none.headers['www-authenticate'], 'Bearer realm="scale-api-helper"')
  assert.equal(none.json().code, 'UNAUTHORIZED')
  // 403, not 401: an MCP client starts an OAuth sign-in on a 401, which this server does not offer.
  const wrong = await rawRequest(s.url, bearer('not-a-token-we-know-at-all'), { ...LIST })
  assert.equal(wrong.status, 403)
  assert.match(String(wrong.headers['www-authenticate']), /^Bearer realm="scale-api-helper", error="invalid_token"/)
  assert.equal(wrong.json().code, 'INVALID_TOKEN')

  await assert.rejects(v2Client(t, s.url), /401|authoriz/i)
  await assert.rejects(v1HttpClient(t, s.url), /UNAUTHORIZED|401/)
  await assert.rejects(v2Client(t, s.url, { token: 'not-a-token-we-know-at-all' }), /403|INVALID_TOKEN/i)
})

test('a wrong Host or Origin is refused with 403 in our error shape, also for SDK clients', async (t) => {
  const s = await mcpSetup(t)
  const host = await rawRequest(s.url, { ...bearer(TOKEN.operator), host: `evil.example:${s.url.port}` }, INITIALIZE)
  assert.equal(host.status, 403)
  assert.equal(host.json().code, 'HOST_NOT_ALLOWED')
  const origin = await rawRequest(s.url, { ...bearer(TOKEN.operator), origin: 'https://evil.example' }, INITIALIZE)
  assert.equal(origin.status, 403)
  assert.equal(origin.json().code, 'ORIGIN_NOT_ALLOWED')
  const opaque = await rawRequest(s.url, { ...bearer(TOKEN.operator), origin: 'null' }, INITIALIZE)
  assert.equal(opaque.json().code, 'ORIGIN_NOT_ALLOWED')
  const local = await rawRequest(s.url, { ...bearer(TOKEN.operator), origin: 'http://localhost:5173', host: `localhost:${s.url.port}` }, INITIALIZE)
  assert.equal(local.status, 200, local.text)

  const evil = new URL(s.url)
  evil.hostname = 'evil.example'
  await assert.rejects(v2Client(t, evil, { token: TOKEN.operator, fetch: fetchVia127(t) }), /403|denied/i)
  await assert.rejects(v1HttpClient(t, evil, { token: TOKEN.operator, fetch: fetchVia127(t) }), /HOST_NOT_ALLOWED/)
  await assert.rejects(v2Client(t, s.url, { token: TOKEN.operator, headers: { origin: 'https://evil.example' } }), /403|denied/i)
  await assert.rejects(v1HttpClient(t, s.url, { token: TOKEN.operator, headers: { origin: 'https://evil.example' } }), /ORIGIN_NOT_ALLOWED/)
})

test('ALLOWED_HOSTS replaces the loopback names', async (t) => {
  const s = await mcpSetup(t, { ALLOWED_HOSTS: 'tools.example' })
  const named = new URL(s.url)
  named.hostname = 'tools.example'
  const client = await v2Client(t, named, { token: TOKEN.operator, fetch: fetchVia127(t) })
  assert.ok((await client.listTools()).length > 0)
  const loopback = await rawRequest(s.url, bearer(TOKEN.operator), INITIALIZE)
  assert.equal(loopback.json().code, 'HOST_NOT_ALLOWED')
})

test('a 2025 session belongs to the caller who opened it and ends on DELETE', async (t) => {
  const s = await mcpSetup(t)
  const client = await v1HttpClient(t, s.url, { token: TOKEN.operator })
  const id = client.sessionId()
  assert.ok(id !== undefined)
  const stolen = await rawRequest(s.url, { ...bearer(TOKEN.admin), ...in2025(id) }, LIST)
  assert.equal(stolen.status, 404)
  assert.equal(stolen.json().code, 'MCP_SESSION_NOT_FOUND')
  const own = await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(id) }, LIST)
  assert.equal(own.status, 200, own.text)

  const ended = await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(id) }, undefined, 'DELETE')
  assert.equal(ended.status, 200, ended.text)
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(id) }, LIST)).json().code, 'MCP_SESSION_NOT_FOUND')
  const noSession = await rawRequest(s.url, { ...bearer(TOKEN.operator), 'mcp-protocol-version': '2025-11-25' }, undefined, 'GET')
  assert.equal(noSession.status, 400)
  assert.equal(noSession.json().code, 'MCP_SESSION_REQUIRED')
})

test('a 2025 session ends after MCP_SESSION_IDLE_MINUTES without use, but not while its stream is open', async (t) => {
  const s = await mcpSetup(t, { MCP_SESSION_IDLE_MINUTES: '30' })
  const idle = await openSession(s.url, TOKEN.operator)
  const streaming = await openSession(s.url, TOKEN.operator)
  assert.match(await openStream(t, s.url, TOKEN.operator, streaming), /^:/, 'an event stream opens with a comment line, so its headers are not held back')
  s.advance(29 * 60_000)
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(idle) }, LIST)).status, 200, 'used within the idle time')
  s.advance(31 * 60_000)
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(idle) }, LIST)).json().code, 'MCP_SESSION_NOT_FOUND')
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(streaming) }, LIST)).status, 200, 'a session with an open stream stays')
})

test('at MCP_MAX_SESSIONS the least recently used idle session makes room; sessions with live connections are never cut off', async (t) => {
  const s = await mcpSetup(t, { MCP_MAX_SESSIONS: '2' })
  const first = await openSession(s.url, TOKEN.operator)
  s.advance(1000)
  const second = await openSession(s.url, TOKEN.operator)
  s.advance(1000)
  const third = await openSession(s.url, TOKEN.operator)
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(first) }, LIST)).json().code, 'MCP_SESSION_NOT_FOUND', 'the oldest idle session made room')
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(second) }, LIST)).status, 200)

  await openStream(t, s.url, TOKEN.operator, second)
  await openStream(t, s.url, TOKEN.operator, third)
  const full = await rawRequest(s.url, bearer(TOKEN.operator), INITIALIZE)
  assert.equal(full.status, 503)
  assert.equal(full.json().code, 'MCP_SESSION_LIMIT')
  const modern = await v2Client(t, s.url, { token: TOKEN.operator })
  assert.ok((await modern.listTools()).length > 0, '2026-07-28 clients need no session')
})

test('a caller over MCP_MAX_SESSIONS_PER_CALLER ends its own oldest sessions, never another caller\'s', async (t) => {
  const s = await mcpSetup(t, { MCP_MAX_SESSIONS: '4', MCP_MAX_SESSIONS_PER_CALLER: '2' })
  const theirs = await openSession(s.url, TOKEN.admin)
  const mine: string[] = []
  for (let i = 0; i < 5; i++) {
    s.advance(1000)
    mine.push(await openSession(s.url, TOKEN.operator))
  }
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.admin), ...in2025(theirs) }, LIST)).status, 200, 'the other caller\'s session still works')
  const alive = []
  for (const id of mine) alive.push((await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(id) }, LIST)).status)
  assert.deepEqual(alive, [404, 404, 404, 200, 200], 'only the caller\'s own two most recent sessions are left')
})

test('at MCP_MAX_SESSIONS a caller\'s own least recently used idle session makes room before anyone else\'s', async (t) => {
  const s = await mcpSetup(t, { MCP_MAX_SESSIONS: '3', MCP_MAX_SESSIONS_PER_CALLER: '3' })
  const oldest = await openSession(s.url, TOKEN.operator)
  s.advance(1000)
  const own = await openSession(s.url, TOKEN.admin)
  s.advance(1000)
  const newer = await openSession(s.url, TOKEN.operator)
  s.advance(1000)
  const ownNewer = await openSession(s.url, TOKEN.admin)
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(oldest) }, LIST)).status, 200, 'the least recently used session overall is another caller\'s: it stays')
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.admin), ...in2025(own) }, LIST)).json().code, 'MCP_SESSION_NOT_FOUND', 'the caller\'s own oldest made room')
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(newer) }, LIST)).status, 200)

  // A caller with no session of its own to give up makes room from the least recently used idle one.
  s.advance(1000)
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(oldest) }, LIST)).status, 200)
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.admin), ...in2025(ownNewer) }, LIST)).status, 200)
  s.advance(1000)
  await openSession(s.url, TOKEN.reader)
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(newer) }, LIST)).json().code, 'MCP_SESSION_NOT_FOUND', 'the least recently used idle session made room')
  assert.equal((await rawRequest(s.url, { ...bearer(TOKEN.operator), ...in2025(oldest) }, LIST)).status, 200)
})

test('closing the server answers running calls (the task goes on) and ends open sessions', { timeout: 60_000 }, async (t) => {
  const s = await mcpSetup(t)
  const clients: McpTestClient[] = [await v1HttpClient(t, s.url, { token: TOKEN.operator }), await v2Client(t, s.url, { token: TOKEN.operator })]
  const vms = await listVms(clients[0] as McpTestClient)
  const started: Array<Promise<void>> = []
  const calls = clients.map(async (client, i) => {
    let report: () => void = () => {}
    started.push(new Promise((resolve) => { report = resolve }))
    const vm = vms[i] as { uuid: string }
    return await client.callTool('run_api', { query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: vm.uuid, label: `shutdown-${i}` }, wait: 600 }, {
      onprogress (p) { if (p.total === 100) report() }
    })
  })
  await Promise.all(started)
  await s.app.close()
  for (const result of await Promise.all(calls)) {
    const value = result.structuredContent as { ok: boolean, taskTag: string, notes: string[] }
    assert.equal(value.ok, true)
    assert.ok(value.notes.some((n) => n.includes(`task ${value.taskTag}`) && n.includes('goes on')), JSON.stringify(value.notes))
  }
})
