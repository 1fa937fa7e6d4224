import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { projectFile } from '../../src/lib/paths.js'
import { auditLines, authFileFor, scratchFile } from '../helper.js'
import { freePort, needBinary, startTestRedis } from '../redis-helper.js'
import { startTestSimulator } from '../simulator-helper.js'
import { ManualClock } from '../../src/simulator/clock.js'
import { haproxyConfig, startBalancer, startReplica, type Replica } from './harness.js'

const skip = needBinary('redis-server') || needBinary('haproxy')

const TOKENS = { alice: 'replica-operator-alice-0123456789', bob: 'replica-approver-bob-0123456789', carol: 'replica-reader-carol-0123456789' }

interface Answer { status: number, replica: string, json: any }

test('three replicas behind HAProxy share one Valkey/Redis store: tokens, approvals, rate limits, sessions, a killed replica and a restarted store', { skip, timeout: 180_000 }, async (t) => {
  const redis = await startTestRedis(t)
  // The cluster's tasks end only when the test says: a call that waits on one is mid-call until then.
  const sim = await startTestSimulator(t, { clock: new ManualClock(Date.now()), taskDurationMs: 1000 })
  const lbPort = await freePort()
  const env = {
    SCALE_HOST: sim.url,
    SCALE_USERNAME: sim.username,
    SCALE_PASSWORD: sim.password,
    SCALE_TLS_FINGERPRINT: sim.certificate?.fingerprint256 ?? '',
    SCALE_SCHEMA: 'bundled',
    AUTH_FILE: authFileFor([
      { name: 'alice', role: 'operator', token: TOKENS.alice },
      { name: 'bob', role: 'approver', token: TOKENS.bob },
      { name: 'carol', role: 'reader', token: TOKENS.carol }
    ]),
    CONFIRM_VIA: 'approval',
    CONFIRM_SECRET: 'one-secret-shared-by-every-replica-0123456789',
    STORE_URL: redis.url,
    STORE_TIMEOUT_MS: '500',
    RATE_LIMIT_PER_MINUTE: '12',
    PUBLIC_URL: `http://127.0.0.1:${lbPort}`
  }
  const replicas = await Promise.all(['r1', 'r2', 'r3'].map(async (name) => await startReplica(t, name, env)))
  const lb = await startBalancer(t, replicas, lbPort)
  const health = async (r: Replica): Promise<any> => await (await fetch(`${r.url}/health`)).json()
  for (const r of replicas) assert.deepEqual((await health(r)).store, { shared: true, reachable: true })

  const send = async (path: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(`${lb.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
    const text = await res.text()
    let json: unknown
    try { json = JSON.parse(text) } catch { json = text }
    return { status: res.status, replica: res.headers.get('x-replica') ?? '', json }
  }
  // Ends the cluster's tasks as they appear until the call answers.
  const finishing = async <T>(call: Promise<T>): Promise<T> => {
    const state = { settled: false }
    const done = call.finally(() => { state.settled = true })
    while (!state.settled) {
      if (sim.tasks.pendingCount > 0) sim.tasks.drain()
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return await done
  }
  const vms = (await send('/list_vms', TOKENS.alice, {})).json.vms as Array<{ name: string, uuid: string, state: string }>
  const [first, second, third] = vms.filter((vm) => vm.state === 'RUNNING') as unknown as [{ uuid: string }, { uuid: string }, { uuid: string }]
  // A raw STOP through run_api: destructive every time it is sent, so a replayed token is judged again.
  const stop = async (vm: { uuid: string }, confirm?: string, wait = false): Promise<Answer> => await send('/run_api', TOKENS.alice, { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: vm.uuid, actionType: 'STOP' }], ...(wait ? { wait: true } : {}), ...(confirm === undefined ? {} : { confirm }) })

  // Approval asked through one replica, seen pending through another, approved through a third's API, run on the next.
  const asked = await stop(first)
  assert.equal(asked.json.code, 'CONFIRMATION_REQUIRED', JSON.stringify(asked.json))
  const { confirmToken, approveUrl } = asked.json.details as { confirmToken: string, approveUrl: string }
  assert.ok(approveUrl.startsWith(lb.url), 'the approval link goes through the balancer')
  const pending = await stop(first, confirmToken)
  assert.equal(pending.json.code, 'AWAITING_APPROVAL', JSON.stringify(pending.json))
  const id = new URL(approveUrl).pathname.split('/').filter(Boolean).at(-1) ?? ''
  const approved = await send(`/approvals/${id}/approve`, TOKENS.bob, {})
  assert.equal(approved.status, 200, JSON.stringify(approved.json))
  const ran = await finishing(stop(first, confirmToken))
  assert.equal(ran.status, 200, JSON.stringify(ran.json))
  const replayed = await stop(first, confirmToken)
  assert.equal(replayed.json.code, 'CONFIRMATION_INVALID', JSON.stringify(replayed.json))
  assert.equal(replayed.json.details?.reason, 'used')
  assert.equal(new Set([asked.replica, pending.replica, approved.replica, ran.replica]).size, 3, `spread over the replicas: ${[asked, pending, approved, ran].map((a) => a.replica).join(', ')}`)
  assert.notEqual(replayed.replica, ran.replica, 'the replay went to a replica that did not run the call')

  // One rate limit for the caller, whichever replica counts: 12 a minute in all, not 12 on each.
  const statuses: number[] = []
  for (let i = 0; i < 15; i++) statuses.push((await send('/list_vms', TOKENS.carol, { limit: 1 })).status)
  assert.deepEqual(statuses, [...Array<number>(12).fill(200), 429, 429, 429])

  // A 2025-11-25 MCP session stays on the replica that opened it.
  const init = await fetch(`${lb.url}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.alice}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'replica-test', version: '1' } } }) })
  await init.text()
  const session = init.headers.get('mcp-session-id') ?? ''
  assert.notEqual(session, '')
  const mcpHeaders = { accept: 'application/json, text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' }
  await send('/mcp', TOKENS.alice, { jsonrpc: '2.0', method: 'notifications/initialized' }, mcpHeaders)
  for (let i = 2; i < 5; i++) {
    const listed = await send('/mcp', TOKENS.alice, { jsonrpc: '2.0', id: i, method: 'tools/list' }, mcpHeaders)
    assert.equal(listed.status, 200, JSON.stringify(listed.json))
    assert.equal(listed.replica, init.headers.get('x-replica'))
  }

  // The store restarted mid-run (empty: no persistence): confirmations fail closed, reads go on, and it comes back.
  const before = await stop(second)
  const lost = before.json.details.confirmToken as string
  await send(`/approvals/${new URL(before.json.details.approveUrl as string).pathname.split('/').at(-1) ?? ''}/approve`, TOKENS.bob, {})
  await redis.kill()
  const refused = await stop(third)
  assert.equal(refused.status, 503, JSON.stringify(refused.json))
  assert.equal(refused.json.code, 'STORE_UNAVAILABLE')
  assert.doesNotMatch(JSON.stringify(refused.json), new RegExp(String(redis.port)), 'the store\'s address is not in the answer')
  const read = await send('/list_vms', TOKENS.alice, { limit: 1 })
  assert.equal(read.status, 200, 'reads need no store')
  await redis.start()
  await Promise.all(replicas.map(async (r) => await r.output(/shared store \(STORE_URL\) is reachable again/)))
  for (const r of replicas) assert.equal((await health(r)).store.reachable, true)
  const afterRestart = await stop(second, lost)
  assert.equal(afterRestart.json.code, 'CONFIRMATION_INVALID', `a token issued before the store lost its memory is not honoured: ${JSON.stringify(afterRestart.json)}`)

  // A replica killed while its call waits on the cluster: the decision was written before the call was sent.
  const again = await stop(third)
  assert.equal(again.json.code, 'CONFIRMATION_REQUIRED', JSON.stringify(again.json))
  await send(`/approvals/${new URL(again.json.details.approveUrl as string).pathname.split('/').at(-1) ?? ''}/approve`, TOKENS.bob, {})
  const tasksBefore = sim.tasks.pendingCount
  const inFlight = stop(third, again.json.details.confirmToken, true)
  inFlight.catch(() => {})
  let victim: Replica | undefined
  for (let attempt = 0; victim === undefined; attempt++) {
    if (sim.tasks.pendingCount > tasksBefore) victim = replicas.find((r) => auditLines(r.audit).some((l) => l.phase === 'decision' && l.tool === 'run_api' && l.decision === 'approved' && JSON.stringify(l).includes(third.uuid) && !auditLines(r.audit).some((m) => m.id === l.id && m.phase === 'result')))
    if (attempt > 1000) throw new Error('the call never reached the cluster')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await victim.kill()
  const lines = auditLines(victim.audit).filter((l) => l.tool === 'run_api' && l.decision === 'approved' && JSON.stringify(l).includes(third.uuid))
  assert.equal(lines.length, 1, 'the accepted call is in the killed replica\'s audit')
  assert.equal(lines[0]?.phase, 'decision')
})

test('docs/team.md shows the HAProxy configuration the replica test runs, and HAProxy accepts it', async () => {
  const page = readFileSync(projectFile('docs', 'team.md'), 'utf8')
  const shown = /```haproxy\n([\s\S]*?)```/.exec(page)?.[1] ?? ''
  const servers = [1, 2, 3].map((i) => ({ name: `r${i}`, address: `replica-${i}:5075` }))
  assert.equal(shown, haproxyConfig(':8080', servers))
  if (needBinary('haproxy') !== false) return
  const file = scratchFile('team-haproxy.cfg')
  writeFileSync(file, shown)
  const checked = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' })
  assert.equal(checked.status, 0, checked.stderr)
})
