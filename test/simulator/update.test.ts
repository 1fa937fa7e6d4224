import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test, type TestContext } from 'node:test'
import { connect } from 'node:tls'
import { ManualClock, type RunningSimulator, type SimRecord } from '../../src/simulator/index.js'
import { basicAuth, createSimClient, simFetch, startTestSimulator } from '../simulator-helper.js'

const PHASES = { prepare: 30_000, apply: 60_000, rebootTls: 20_000, rebootDown: 10_000, starting: 10_000 }

interface UpdateStatus {
  prepareStatus: { state: string }
  updateStatus: { masterState?: string, percent: string, toVersion?: string, fromBuild?: string, toBuild?: string, status: { statusdetails: string } }
}

/** `GET /update/update_status.json` on a new connection, without any credentials, as a watcher would. */
async function statusFile (t: TestContext, sim: RunningSimulator): Promise<UpdateStatus> {
  const res = await createSimClient(t, sim).raw('GET', '/update/update_status.json')
  assert.equal(res.status, 200, res.text)
  return res.json as UpdateStatus
}

function origin (sim: RunningSimulator): { host: string, port: number } {
  const url = new URL(sim.url)
  return { host: url.hostname, port: Number(url.port) }
}

test('a cluster that never updated has no update_status.json: 404 with an HTML page, no login needed', async (t) => {
  const sim = await startTestSimulator(t)
  const res = await createSimClient(t, sim).raw('GET', '/update/update_status.json')
  assert.equal(res.status, 404)
  assert.match(String(res.headers['content-type']), /text\/html/)
  assert.equal(res.json, undefined)
  assert.equal(sim.update.phase, 'idle')
})

test('an update: prepare, apply (calls hang), reboot (TLS errors, then hanging connections), 502 pages, then the new version', async (t) => {
  const clock = new ManualClock()
  const sim = await startTestSimulator(t, { clock, updatePhasesMs: PHASES })
  const client = await simFetch(t, sim)
  const update = ((await client.call('GET', '/Update')).json as SimRecord[])[0] as SimRecord
  const fromVersion = String(sim.state.cluster().icosVersion)
  const applied = await client.call('POST', `/Update/${update.uuid}/apply`, {})
  assert.deepEqual(applied.json, { taskTag: '', createdUUID: '' })

  // Prepare: the API works; masterState does not exist yet, so a masterState-only check would wrongly say idle.
  let status = await statusFile(t, sim)
  assert.equal(status.prepareStatus.state, 'DOWNLOAD BUNDLE')
  assert.equal('masterState' in status.updateStatus, false)
  assert.equal(typeof status.updateStatus.percent, 'string')
  assert.equal((await client.call('GET', '/Cluster')).status, 200)
  clock.advance(10_000)
  assert.equal((await statusFile(t, sim)).prepareStatus.state, 'DOWNLOAD RPMS')
  clock.advance(10_000)
  assert.equal((await statusFile(t, sim)).prepareStatus.state, 'UPDATE RPM')

  // Apply: prepareStatus is COMPLETE again (a prepare-only check would say idle), masterState alternates.
  clock.advance(10_000)
  assert.equal(sim.update.phase, 'apply')
  status = await statusFile(t, sim)
  assert.equal(status.prepareStatus.state, 'COMPLETE')
  assert.equal(status.updateStatus.masterState, 'EXECUTING')
  assert.equal(status.updateStatus.toVersion, update.uuid)
  assert.equal(status.updateStatus.fromBuild, fromVersion.split('.').at(-1))
  clock.advance(5_000)
  const inProgress = await statusFile(t, sim)
  assert.equal(inProgress.updateStatus.masterState, 'IN PROGRESS')
  assert.ok(Number(inProgress.updateStatus.percent) > Number(status.updateStatus.percent), 'percent climbs')

  // A /rest/v1 call is accepted and never answered; the status file still answers meanwhile.
  let answered = false
  const hung = client.call('GET', '/Cluster').finally(() => { answered = true })
  await statusFile(t, sim)
  assert.equal(answered, false, 'the call is still waiting')

  // Reboot, first part: the hung call dies with its connection; new connections fail during the TLS handshake.
  clock.advance(55_000)
  assert.equal(sim.update.phase, 'reboot-tls')
  await sim.whenStable()
  await assert.rejects(hung)
  await assert.rejects(createSimClient(t, sim).raw('GET', '/update/update_status.json'))
  await assert.rejects(createSimClient(t, sim).call('GET', '/ping'))

  // Reboot, second part: a connection is accepted but its TLS handshake is never answered, until the node is back.
  clock.advance(20_000)
  assert.equal(sim.update.phase, 'reboot-down')
  let secured = false
  const socket = connect({ ...origin(sim), ca: sim.certificate?.pem, servername: 'localhost' }, () => { secured = true })
  socket.on('error', () => {})
  await once(socket, 'connect')
  clock.advance(10_000)
  assert.equal(sim.update.phase, 'starting')
  // Not once(): that rejects on the 'error' (a reset) that comes before 'close'.
  await new Promise((resolve) => socket.once('close', resolve))
  assert.equal(secured, false, 'the handshake never completed')

  // Just back: the web server answers, the REST backend does not yet: 502 with HTML.
  const starting = await createSimClient(t, sim).call('GET', '/Cluster', undefined, basicAuth(sim))
  assert.equal(starting.status, 502)
  assert.match(String(starting.headers['content-type']), /text\/html/)
  assert.equal(starting.json, undefined)
  assert.equal((await statusFile(t, sim)).updateStatus.masterState, 'IN PROGRESS')

  // Settled: both fields COMPLETE, the new version reported, and sessions from before the reboot are gone.
  clock.advance(10_000)
  assert.equal(sim.update.phase, 'done')
  status = await statusFile(t, sim)
  assert.equal(status.prepareStatus.state, 'COMPLETE')
  assert.equal(status.updateStatus.masterState, 'COMPLETE')
  assert.equal(status.updateStatus.percent, '100')
  assert.match(status.updateStatus.status.statusdetails, /Update Complete/)
  assert.equal((await client.call('GET', '/Cluster')).status, 401)
  await client.login()
  const cluster = ((await client.call('GET', '/Cluster')).json as SimRecord[])[0] as SimRecord
  assert.equal(cluster.icosVersion, update.uuid)
  // The version now installed is no longer offered, so it cannot be applied again.
  const offered = (await client.call('GET', '/Update')).json as SimRecord[]
  assert.ok(!offered.some((u) => u.uuid === update.uuid), 'GET /Update no longer lists the installed version')
  assert.equal((await client.call('POST', `/Update/${update.uuid}/apply`)).status, 404, 'that version is installed now')
})

test('update_status.json percent only climbs, whatever the phase', async (t) => {
  const clock = new ManualClock()
  const sim = await startTestSimulator(t, { clock, updatePhasesMs: PHASES })
  sim.startUpdate()
  let last = -1
  for (let at = 0; at <= 130_000; at += 2_500) {
    const percent = Number((sim.update.statusDocument()?.updateStatus as { percent: string }).percent)
    assert.ok(percent >= last, `${percent} after ${last} at ${at} ms`)
    last = percent
    clock.advance(2_500)
  }
  assert.equal(last, 100)
  assert.equal(sim.update.phase, 'done')
})

test('phases can also be stepped explicitly, in process and through the control API', async (t) => {
  const clock = new ManualClock()
  const sim = await startTestSimulator(t, { clock })
  const control = createSimClient(t, sim)
  assert.equal((await control.raw('POST', '/__simulator/update/step', undefined, basicAuth(sim))).status, 409, 'nothing to step')
  const started = await control.raw('POST', '/__simulator/update', { phasesMs: { prepare: 3_600_000 } }, basicAuth(sim))
  assert.equal(started.status, 200, started.text)
  assert.equal((started.json as { phase: string }).phase, 'prepare')
  assert.equal(sim.update.step(), 'apply')
  const stepped = await control.raw('POST', '/__simulator/update/step', undefined, basicAuth(sim))
  assert.deepEqual(stepped.json, { phase: 'apply', next: 'reboot-tls' })
  await sim.whenStable()
  assert.equal(sim.update.phase, 'reboot-tls')
  sim.update.step()
  sim.update.step()
  sim.update.step()
  assert.equal(sim.update.phase, 'done')
  // The reboot phases reset every connection, this client's kept-alive one too.
  await sim.whenStable()
  assert.match(String(sim.state.cluster().icosVersion), /^9\.4\.32\./)
  assert.equal((await control.raw('POST', '/__simulator/update', { phasesMs: { apply: -1 } }, basicAuth(sim))).status, 400)
  assert.equal((await control.raw('POST', '/__simulator/update', { toVersion: 'nine' }, basicAuth(sim))).status, 400)
})
