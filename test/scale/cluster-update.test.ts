import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { pino } from 'pino'
import type { HyperCoreClient, HyperCoreClientOptions, WaitClock } from '../../src/scale/client.js'
import { clusterConfigFor, ManualClock, type RunningSimulator } from '../../src/simulator/index.js'
import { auth, buildTestApp, captureLogs, rejection, testClient, testClusterConfig, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'
import { rawResponse, startMisbehavingCluster } from './misbehaving-cluster.js'

const PHASES = { prepare: 30_000, apply: 60_000, rebootTls: 20_000, rebootDown: 10_000, starting: 10_000 }
// Far below the call deadline, so an answer that came from the deadline would hang the test; the status file
// deadline is roomy, so a busy test machine does not turn a slow status read into "unknown".
const WATCH = { suspectAfterMs: 50, readDeadlineMs: 500, statusDeadlineMs: 2000 }
// The status cache's lifetime: moving the shared clock by this much makes the next check read the file again. A
// slow call before the update (a busy machine) may have had the file read already, and that reading must not last.
const CACHE_MS = 5000
const NEVER = 600_000

interface UpdateSetup {
  sim: RunningSimulator
  clock: ManualClock
  client: HyperCoreClient
  /** `METHOD /path` of every /rest/v1 request the simulator left hanging (update applying). */
  hung: () => string[]
}

/** The client and the simulator share one clock: the test moves update phases and the status cache together. */
async function updating (t: TestContext, opts: HyperCoreClientOptions = {}): Promise<UpdateSetup> {
  const lines: string[] = []
  const clock = new ManualClock()
  const sim = await startTestSimulator(t, { clock, updatePhasesMs: PHASES, logger: pino({ level: 'debug' }, { write (line: string) { lines.push(line) } }) })
  const waitClock: WaitClock = { now: () => clock.now(), sleep: async () => {} }
  const client = testClient(t, clusterConfigFor(sim, { timeoutMs: NEVER }), { clock: waitClock, updateWatch: WATCH, ...opts })
  const hung = (): string[] => lines.map((l) => JSON.parse(l) as { msg: string, method?: string, path?: string })
    .filter((l) => l.msg === 'simulator request left hanging (update applying)').map((l) => `${l.method ?? ''} ${l.path ?? ''}`)
  return { sim, clock, client, hung }
}

const START = { body: [{ virDomainUUID: '', actionType: 'START' }] }

test('an update, phase by phase: CLUSTER_UPDATING with percent and version instead of hanging, changes refused, then the new version', { timeout: 60_000 }, async (t) => {
  const { sim, clock, client, hung } = await updating(t)
  const before = await client.call('GET', '/Cluster')
  const vm = ((await client.call('GET', '/VirDomain')).data as Array<{ uuid: string }>)[0]?.uuid ?? ''
  const target = String(((await client.call('GET', '/Update')).data as Array<{ uuid: string }>)[0]?.uuid)
  const change = { body: [{ ...START.body[0], virDomainUUID: vm }] }
  await client.call('POST', `/Update/${target}/apply`, { body: {} })

  // Prepare: the API works; nothing to notice.
  assert.equal(sim.update.phase, 'prepare')
  assert.equal((await client.call('GET', '/Cluster')).status, 200)

  // Apply: the read is accepted and never answered. With a 10-minute deadline it answers CLUSTER_UPDATING at once.
  sim.update.step()
  clock.advance(CACHE_MS)
  const read = await rejection(client.call('GET', '/VirDomain'))
  assert.equal(read.code, 'CLUSTER_UPDATING')
  assert.equal(read.statusCode, 503)
  const details = read.details as { percent: number, toVersion: string, phase: string, sent: boolean }
  assert.equal(details.toVersion, target)
  assert.equal(details.phase, 'applying')
  assert.equal(typeof details.percent, 'number')
  assert.ok(details.percent >= 10 && details.percent < 100)
  assert.match(read.message, new RegExp(`to HyperCore ${target.replace(/\./g, '\\.')}`))

  // A change is refused before anything is sent.
  const refused = await rejection(client.call('POST', '/VirDomain/action', change))
  assert.equal(refused.code, 'CLUSTER_UPDATING')
  assert.equal((refused.details as { sent: boolean }).sent, false)
  assert.deepEqual(hung().filter((h) => h.startsWith('POST')), [], 'the change never reached the cluster')
  // Right after, reads answer at once; once a status period has passed, one read tries again with the short deadline.
  assert.equal((await rejection(client.call('GET', '/Node'))).code, 'CLUSTER_UPDATING')
  assert.ok(!hung().includes('GET /rest/v1/Node'), 'not sent: a read met the update a moment ago')
  clock.advance(CACHE_MS)
  assert.equal((await rejection(client.call('GET', '/Node'))).code, 'CLUSTER_UPDATING')
  assert.ok(hung().includes('GET /rest/v1/Node'), 'the read was sent')
  // Right after a read met the update, the next reads answer at once without being sent: one read per status period finds out.
  const hungBefore = hung().length
  const quick = await rejection(client.call('GET', '/Cluster'))
  assert.equal(quick.code, 'CLUSTER_UPDATING')
  assert.match(quick.message, /was not sent/)
  assert.equal(hung().length, hungBefore)

  // Reboot: connections fail in the TLS handshake, then hang; the status file is unreachable too, and still counts as the update.
  sim.update.step()
  await sim.whenStable()
  clock.advance(CACHE_MS)
  const rebooting = await rejection(client.call('GET', '/VirDomain'))
  assert.equal(rebooting.code, 'CLUSTER_UPDATING')
  assert.equal((rebooting.details as { phase: string }).phase, 'restarting')
  assert.equal((rebooting.details as { toVersion: string }).toVersion, target)
  sim.update.step()
  clock.advance(CACHE_MS)
  assert.equal((await rejection(client.call('GET', '/VirDomain'))).code, 'CLUSTER_UPDATING')
  assert.equal((await rejection(client.call('POST', '/VirDomain/action', change))).code, 'CLUSTER_UPDATING')

  // Starting: /rest/v1 answers 502 with HTML; the file says IN PROGRESS.
  sim.update.step()
  await sim.whenStable()
  clock.advance(CACHE_MS)
  const starting = await rejection(client.call('GET', '/VirDomain'))
  assert.equal(starting.code, 'CLUSTER_UPDATING')
  assert.equal((starting.details as { phase: string }).phase, 'applying')
  assert.equal(client.lastUpdateStatus()?.state, 'updating')

  // Done: once the cached reading is stale, a change is sent again (after a new login: sessions died in the reboot).
  sim.update.step()
  clock.advance(CACHE_MS)
  const started = await client.call('POST', '/VirDomain/action', change)
  assert.equal(started.status, 200)
  assert.equal(client.lastUpdateStatus()?.state, 'idle')
  const after = (await client.call('GET', '/Cluster')).data as Array<{ icosVersion: string }>
  assert.equal(after[0]?.icosVersion, target)
  assert.notEqual((before.data as Array<{ icosVersion: string }>)[0]?.icosVersion, target)
})

test('a normal answer ends update mode, even while a stale status file still says an update runs', async (t) => {
  const cluster = await startMisbehavingCluster(t)
  const stale = rawResponse(200, JSON.stringify({ prepareStatus: { state: 'COMPLETE' }, updateStatus: { masterState: 'IN PROGRESS', percent: '97', toVersion: '9.5.1.1' } }))
  cluster.route('GET', '/update/update_status.json', (s) => s.write(stale))
  let backendUp = false
  cluster.route('GET', '/rest/v1/VirDomain', (s) => s.write(backendUp ? rawResponse(200, '[]') : rawResponse(502, '<html>502 Bad Gateway</html>', { 'content-type': 'text/html' })))
  cluster.route('POST', '/rest/v1/VirDomain/action', (s) => s.write(rawResponse(200, JSON.stringify({ taskTag: '7', createdUUID: '' }))))
  let now = 0
  const client = testClient(t, testClusterConfig(cluster), { updateWatch: WATCH, clock: { now: () => now, sleep: async () => {} } })
  const change = { body: [{ virDomainUUID: 'vm-1', actionType: 'START' }] }

  assert.equal((await rejection(client.call('GET', '/VirDomain'))).code, 'CLUSTER_UPDATING')
  assert.equal((await rejection(client.call('POST', '/VirDomain/action', change))).code, 'CLUSTER_UPDATING')
  backendUp = true
  now += CACHE_MS
  // The file still says IN PROGRESS, but the read let through is answered: the API is back, so changes flow again.
  assert.equal((await client.call('GET', '/VirDomain')).status, 200)
  assert.equal((await client.call('POST', '/VirDomain/action', change)).status, 200)
  assert.equal(client.lastUpdateStatus()?.state, 'updating', 'the file was not read again to find that out')
})

test('a change sent before the update was noticed is reported as maybe made, not as a plain timeout', { timeout: 60_000 }, async (t) => {
  const { sim } = await updating(t)
  // The deadline is short so the change gives up; what it meets is the update.
  const short = testClient(t, clusterConfigFor(sim, { timeoutMs: 300 }), { updateWatch: WATCH })
  const vm = ((await short.call('GET', '/VirDomain')).data as Array<{ uuid: string }>)[0]?.uuid ?? ''
  sim.startUpdate()
  sim.update.step()
  const err = await rejection(short.call('POST', '/VirDomain/action', { body: [{ virDomainUUID: vm, actionType: 'START' }] }))
  assert.equal(err.code, 'CLUSTER_UPDATING')
  assert.equal((err.details as { sent: boolean }).sent, true)
  assert.match(err.message, /may or may not have been made/)
})

test('a hanging call on a cluster that never updated (status file 404) stays a timeout: no update is claimed', async (t) => {
  const cluster = await startMisbehavingCluster(t)
  cluster.route('GET', '/rest/v1/VirDomain', () => {})
  cluster.route('GET', '/update/update_status.json', (s) => s.write(rawResponse(404, '<html><body>404 Not Found</body></html>', { 'content-type': 'text/html' })))
  const client = testClient(t, testClusterConfig(cluster, { timeoutMs: 300 }), { updateWatch: WATCH })
  const err = await rejection(client.call('GET', '/VirDomain'))
  assert.equal(err.code, 'SCALE_TIMEOUT')
  const status = client.lastUpdateStatus()
  assert.equal(status?.state, 'unknown')
  assert.equal(status?.reason, 'no-status-file')
})

test('502 pages and garbage from the status file count as the update going on once it was seen', async (t) => {
  const cluster = await startMisbehavingCluster(t)
  const applying = JSON.stringify({ prepareStatus: { state: 'COMPLETE' }, updateStatus: { masterState: 'IN PROGRESS', percent: '55', toVersion: '9.5.1.1' } })
  const files = [
    rawResponse(200, applying),
    rawResponse(502, '<html>502 Bad Gateway</html>', { 'content-type': 'text/html' }),
    rawResponse(200, '{"prepareStatus":', { 'content-type': 'application/json' })
  ]
  let served = 0
  cluster.route('GET', '/update/update_status.json', (s) => s.write(files[Math.min(served++, files.length - 1)] as string))
  cluster.route('GET', '/rest/v1/VirDomain', (s) => s.write(rawResponse(502, '<html>502 Bad Gateway</html>', { 'content-type': 'text/html' })))
  let now = 0
  const client = testClient(t, testClusterConfig(cluster), { updateWatch: WATCH, clock: { now: () => now, sleep: async () => {} } })
  for (const expected of ['applying', 'restarting', 'restarting']) {
    const err = await rejection(client.call('GET', '/VirDomain'))
    assert.equal(err.code, 'CLUSTER_UPDATING')
    assert.deepEqual(err.details, { percent: 55, toVersion: '9.5.1.1', phase: expected, node: new URL(cluster.url).host, sent: false, retryAfterSeconds: 30 })
    now += 5000
  }
  assert.equal(served, 3, 'one status read per cache period')
})

test('updateStatus answers from the file without a login; concurrent askers share one read', async (t) => {
  const { sim, client } = await updating(t)
  assert.equal((await client.updateStatus()).state, 'unknown', 'never updated: 404')
  sim.startUpdate()
  const all = await Promise.all(Array.from({ length: 10 }, async () => await client.updateStatus({ maxAgeMs: 0 })))
  assert.ok(all.every((s) => s === all[0]))
  assert.equal(all[0]?.state, 'updating')
  assert.equal(all[0]?.phase, 'preparing')
  assert.equal((await client.session()).active, false, 'no login was needed')
})

test('/health shows a known update; /health/ready says the cluster is updating', { timeout: 60_000 }, async (t) => {
  const { sim, clock, client } = await updating(t)
  const app = await buildTestApp(t, testConfig(), { cluster: client, clusterInfo: { mode: 'simulator', cluster: client.host } }, { logger: captureLogs().logger })
  assert.equal((await app.inject({ url: '/health' })).json().update, undefined, 'nothing read yet, and /health reads nothing')
  await client.call('GET', '/Cluster')
  const target = String(sim.state.collection('Update').keys().next().value)
  sim.startUpdate(target)
  sim.update.step()
  clock.advance(CACHE_MS)
  assert.equal((await rejection(client.call('GET', '/VirDomain'))).code, 'CLUSTER_UPDATING')
  const health = (await app.inject({ url: '/health' })).json()
  assert.equal(health.update.state, 'updating')
  assert.equal(health.update.toVersion, target)
  assert.equal(typeof health.update.percent, 'number')
  assert.equal(typeof health.update.checkedAt, 'string')

  // Through a tool: run_api answers 503 CLUSTER_UPDATING with the details.
  const res = await app.inject({ method: 'POST', url: '/run_api', headers: auth, payload: { query: '/Node' } })
  assert.equal(res.statusCode, 503)
  assert.equal(res.json().code, 'CLUSTER_UPDATING')
  assert.equal(res.json().details.toVersion, target)

  sim.update.step()
  await sim.whenStable()
  const ready = await app.inject({ url: '/health/ready' })
  assert.equal(ready.statusCode, 503)
  assert.equal(ready.json().code, 'NOT_READY')
  assert.match(ready.json().message, /applying an update to HyperCore/)
  assert.equal(ready.json().details.update.state, 'updating')

  // Starting: the API's 502 pages are answers, not service: still not ready.
  sim.update.step()
  sim.update.step()
  await sim.whenStable()
  assert.equal(sim.update.phase, 'starting')
  assert.equal((await app.inject({ url: '/health/ready' })).statusCode, 503)
  // Done: once a read is let through and answered, the server is ready again.
  sim.update.step()
  clock.advance(CACHE_MS)
  assert.equal((await client.call('GET', '/Cluster')).status, 200)
  assert.equal((await app.inject({ url: '/health/ready' })).statusCode, 200)
})
