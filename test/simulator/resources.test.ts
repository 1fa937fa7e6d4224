import assert from 'node:assert/strict'
import { test } from 'node:test'
import { generate } from 'selfsigned'
import { ManualClock, type SimRecord, type TaskTagStatus, type VmRecord } from '../../src/simulator/index.js'
import { basicAuth, createSimClient, simFetch, startTestSimulator, type SimClient, type SimResponse } from '../simulator-helper.js'

async function settled (client: SimClient, res: SimResponse): Promise<{ task: TaskTagStatus, createdUUID: string }> {
  assert.equal(res.status, 200, res.text)
  const { taskTag, createdUUID } = res.json as { taskTag: string, createdUUID: string }
  return { task: await client.waitForTask(taskTag), createdUUID }
}

/** Asserts a 200 answer with an empty task tag: the write took effect before the answer. */
function immediate (res: SimResponse): string {
  assert.equal(res.status, 200, res.text)
  const { taskTag, createdUUID } = res.json as { taskTag: string, createdUUID: string }
  assert.equal(taskTag, '', 'no task to wait for')
  return createdUUID
}

async function getOne (client: SimClient, path: string): Promise<Record<string, unknown>> {
  const res = await client.call('GET', path)
  assert.equal(res.status, 200, res.text)
  const list = res.json as Array<Record<string, unknown>>
  assert.equal(list.length, 1)
  return list[0] as Record<string, unknown>
}

test('users: create, edit and delete take effect at once (taskTag ""); duplicates and unknown roles are refused', async (t) => {
  const sim = await startTestSimulator(t, { clock: new ManualClock() })
  const client = await simFetch(t, sim)
  const roles = (await client.call('GET', '/Role')).json as SimRecord[]
  const readRole = roles.find((r) => r.name === 'Read') as SimRecord
  // user.py reads the user by createdUUID right after the POST; the clock never moves here, so no task could help.
  const createdUUID = immediate(await client.call('POST', '/User', { username: 'jane', password: 'pw-123456', fullName: 'Jane Doe', roleUUIDs: [readRole.uuid], sessionLimit: 2 }))
  assert.match(createdUUID, /^[0-9a-f-]{36}$/)
  const created = { createdUUID }
  const jane = await getOne(client, `/User/${created.createdUUID}`)
  assert.deepEqual(jane, { uuid: created.createdUUID, username: 'jane', fullName: 'Jane Doe', roleUUIDs: [readRole.uuid], sessionLimit: 2 })

  assert.equal((await client.call('POST', '/User', { username: 'jane' })).status, 400, 'duplicate username')
  assert.equal((await client.call('POST', '/User', { username: 'bob', roleUUIDs: ['no-such-role'] })).status, 404)
  assert.equal((await client.call('POST', '/User', { fullName: 'no username' })).status, 400)
  assert.equal((await client.call('POST', '/User', { username: 'bob', admin: true })).status, 400, 'unknown field')

  assert.equal(immediate(await client.call('PATCH', `/User/${created.createdUUID}`, { fullName: 'Jane Q. Doe', password: 'new-pass-1' })), '')
  assert.equal((await getOne(client, `/User/${created.createdUUID}`)).fullName, 'Jane Q. Doe')
  const other = createSimClient(t, sim)
  assert.equal((await other.login('jane', 'pw-123456')).status, 401)
  assert.equal((await other.login('jane', 'new-pass-1')).status, 200)

  immediate(await client.call('DELETE', `/User/${created.createdUUID}`))
  assert.equal((await client.call('GET', `/User/${created.createdUUID}`)).status, 404)
  assert.equal((await other.login('jane', 'new-pass-1')).status, 401)

  const me = ((await client.call('GET', '/User')).json as SimRecord[]).find((u) => u.username === sim.username) as SimRecord
  const selfDelete = await client.call('DELETE', `/User/${me.uuid}`)
  assert.equal(selfDelete.status, 400)
  assert.match((selfDelete.json as { error: string }).error, /logged in/)
  assert.equal(sim.tasks.list().length, 0, 'no user write started a task')
})

test('ISOs: create, upload data as octet-stream, mark ready, rename, delete', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const created = await settled(client, await client.call('POST', '/ISO', { name: 'tools.iso', size: 4096, readyForInsert: false }))
  assert.equal(created.task.state, 'COMPLETE')
  const iso = await getOne(client, `/ISO/${created.createdUUID}`)
  assert.equal(iso.name, 'tools.iso')
  assert.equal(iso.readyForInsert, false)
  assert.equal(iso.path, `scribe/${created.createdUUID}`)
  assert.deepEqual(iso.mounts, [])

  const upload = await client.call('PUT', `/ISO/${created.createdUUID}/data`, Buffer.alloc(300_000, 7))
  assert.equal(upload.status, 200, upload.text)
  assert.equal((await getOne(client, `/ISO/${created.createdUUID}`)).size, 300_000)
  assert.equal(sim.state.uploadedBytes.get(created.createdUUID), 300_000)
  assert.equal((await client.call('PUT', `/ISO/${created.createdUUID}/data`, { not: 'bytes' })).status, 415)
  assert.equal((await client.call('PUT', '/ISO/nope/data', Buffer.alloc(10))).status, 404)

  await settled(client, await client.call('PATCH', `/ISO/${created.createdUUID}`, { readyForInsert: true, name: 'tools-v2.iso' }))
  const ready = await getOne(client, `/ISO/${created.createdUUID}`)
  assert.equal(ready.readyForInsert, true)
  assert.equal(ready.name, 'tools-v2.iso')
  assert.equal((await client.call('PATCH', `/ISO/${created.createdUUID}`, { name: 'not-an-iso.img' })).status, 400)
  assert.equal((await client.call('POST', '/ISO', { name: 'no-flag.iso' })).status, 400, 'readyForInsert is required')
  assert.equal((await client.call('POST', '/ISO', { name: 'bad.img', readyForInsert: false })).status, 400)

  const deleted = await settled(client, await client.call('DELETE', `/ISO/${created.createdUUID}`))
  assert.equal(deleted.task.state, 'COMPLETE')
  assert.equal((await client.call('GET', `/ISO/${created.createdUUID}`)).status, 404)
})

test('virtual disks: upload as octet-stream, attach to a VM, delete', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const bytes = Buffer.alloc(1_048_576, 1)
  const uploaded = await settled(client, await client.call('PUT', `/VirtualDisk/upload?filename=disk.qcow2&filesize=${bytes.length}`, bytes))
  assert.equal(uploaded.task.state, 'COMPLETE')
  const disk = await getOne(client, `/VirtualDisk/${uploaded.createdUUID}`)
  assert.equal(disk.name, 'disk.qcow2')
  // The fields virtual_disk.py reads.
  assert.equal(disk.capacityBytes, bytes.length)
  assert.equal(disk.blockSize, 512)
  assert.equal(disk.replicationFactor, 2)
  assert.ok((disk.totalAllocationBytes as number) >= bytes.length)
  for (const seeded of (await client.call('GET', '/VirtualDisk')).json as SimRecord[]) {
    assert.deepEqual(Object.keys(seeded).sort(), ['blockSize', 'capacityBytes', 'created', 'name', 'replicationFactor', 'totalAllocationBytes', 'uuid'])
  }
  assert.equal((await client.call('PUT', '/VirtualDisk/upload', bytes)).status, 400, 'filename is required')
  assert.equal((await client.call('PUT', '/VirtualDisk/upload?filename=x&filesize=5', bytes)).status, 400, 'size mismatch')

  const vm = [...sim.state.vms.values()].find((v) => v.state === 'SHUTOFF') as VmRecord
  const attached = await settled(client, await client.call('POST', `/VirtualDisk/${uploaded.createdUUID}/attach`, { options: { readOnly: false }, template: { virDomainUUID: vm.uuid, type: 'VIRTIO_DISK', capacity: 10 * bytes.length } }))
  assert.equal(attached.task.state, 'COMPLETE', attached.task.formattedMessage)
  const dev = await getOne(client, `/VirDomainBlockDevice/${attached.createdUUID}`)
  assert.equal(dev.virDomainUUID, vm.uuid)
  assert.equal(dev.capacity, 10 * bytes.length)
  assert.equal((await client.call('POST', '/VirtualDisk/nope/attach', { options: {}, template: { virDomainUUID: vm.uuid, type: 'VIRTIO_DISK', capacity: 1 } })).status, 404)

  const deleted = await settled(client, await client.call('DELETE', `/VirtualDisk/${uploaded.createdUUID}`))
  assert.equal(deleted.task.state, 'COMPLETE')
  assert.equal((await client.call('GET', `/VirtualDisk/${uploaded.createdUUID}`)).status, 404)
})

test('conditions: by name, and the filter with includeSet=true returns only set ones', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const all = (await client.call('GET', '/Condition')).json as SimRecord[]
  assert.ok(all.length >= 5)
  const set = (await client.call('GET', '/Condition/filter?includeSet=true')).json as SimRecord[]
  assert.ok(set.length >= 2 && set.length < all.length)
  for (const c of set) {
    assert.equal(c.value, true)
    assert.equal(c.isOK, false)
    assert.equal(typeof c.severity, 'string')
  }
  assert.equal(((await client.call('GET', '/Condition/filter')).json as unknown[]).length, all.length)
  const one = (await client.call('GET', `/Condition/${String(set[0]?.name)}`)).json as SimRecord[]
  assert.equal(one[0]?.name, set[0]?.name)
  assert.equal((await client.call('GET', '/Condition/NoSuchCondition')).status, 404)
})

test('cluster: rename with a valid host name only, and shutdown powers off every VM', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const cluster = ((await client.call('GET', '/Cluster')).json as SimRecord[])[0] as SimRecord
  assert.match(String(cluster.icosVersion), /^9\.4\./)
  assert.equal((await client.call('PATCH', `/Cluster/${cluster.uuid}`, { clusterName: 'not a hostname!' })).status, 400)
  assert.equal((await client.call('PATCH', `/Cluster/${cluster.uuid}`, { icosVersion: '10.0' })).status, 400, 'only clusterName can be patched')
  const renamed = await settled(client, await client.call('PATCH', `/Cluster/${cluster.uuid}`, { clusterName: 'hc3-lab' }))
  assert.equal(renamed.task.state, 'COMPLETE')
  assert.equal((await getOne(client, `/Cluster/${cluster.uuid}`)).clusterName, 'hc3-lab')

  assert.equal((await client.call('POST', '/Cluster/shutdown', {})).status, 400, 'forceShutdown is required')
})

test('POST /Cluster/shutdown powers every VM off, then the API stops answering until the cluster is powered on', async (t) => {
  const clock = new ManualClock()
  const sim = await startTestSimulator(t, { clock, taskDurationMs: 1000 })
  const client = await simFetch(t, sim)
  const res = await client.call('POST', '/Cluster/shutdown', { forceShutdown: true })
  assert.equal(res.status, 200)
  assert.match((res.json as { taskTag: string }).taskTag, /^\d+$/)
  assert.equal((await client.call('GET', '/Cluster')).status, 200, 'the cluster answers until the shutdown task ends')
  clock.advance(1000)
  await sim.whenStable()
  assert.equal(sim.poweredOn, false)
  assert.ok([...sim.state.vms.values()].every((vm) => ['SHUTOFF', 'SHUTDOWN', 'CRASHED'].includes(vm.state)))
  // The collection polls until the connection is refused; so does this test, on a new connection.
  await assert.rejects(createSimClient(t, sim).raw('GET', '/rest/v1/ping'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ECONNREFUSED')
    return true
  })
  await sim.powerOn()
  const fresh = await simFetch(t, sim)
  assert.equal((await fresh.call('GET', '/Cluster')).status, 200, 'powered on again, it answers (VMs stay off)')
  assert.ok([...sim.state.vms.values()].every((vm) => vm.state !== 'RUNNING'))
})

test('POST /Update/{version}/apply answers an empty task tag and starts the update; unknown versions 404, a second apply 409', async (t) => {
  const sim = await startTestSimulator(t, { clock: new ManualClock() })
  const client = await simFetch(t, sim)
  const update = ((await client.call('GET', '/Update')).json as SimRecord[])[0] as SimRecord
  const applied = await client.call('POST', `/Update/${update.uuid}/apply`, {})
  assert.equal(applied.status, 200)
  assert.deepEqual(applied.json, { taskTag: '', createdUUID: '' })
  assert.equal(sim.update.phase, 'prepare')
  assert.equal((await client.call('POST', `/Update/${update.uuid}/apply`)).status, 409)
  assert.equal((await client.call('POST', '/Update/nope/apply')).status, 404)
})

test('POST /Certificate checks the pair and then serves the new certificate', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const pems = await generate([{ name: 'commonName', value: 'cluster.example' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }]
  })
  assert.equal((await client.call('POST', '/Certificate', { certificate: 'nope', privateKey: pems.private })).status, 400)
  const other = await generate(undefined, { keyType: 'ec' })
  assert.equal((await client.call('POST', '/Certificate', { certificate: pems.cert, privateKey: other.private })).status, 400, 'a key of another certificate')
  const before = sim.certificate?.fingerprint256
  const done = await settled(client, await client.call('POST', '/Certificate', { certificate: pems.cert, privateKey: pems.private }))
  assert.equal(done.task.state, 'COMPLETE')
  assert.notEqual(sim.certificate?.fingerprint256, before)
  const fresh = createSimClient(t, sim)
  assert.equal((await fresh.call('GET', '/ping')).status, 200, 'a new connection trusting the new certificate works')
})

test('secrets are never served: SMTP and OIDC passwords are blanked, key values hidden', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const smtp = ((await client.call('GET', '/AlertSMTPConfig')).json as SimRecord[])[0] as SimRecord
  const edited = await settled(client, await client.call('PATCH', `/AlertSMTPConfig/${smtp.uuid}`, { useAuth: true, authUser: 'mailer', authPassword: 'smtp-secret' }))
  assert.equal(edited.task.state, 'COMPLETE')
  const after = await getOne(client, `/AlertSMTPConfig/${smtp.uuid}`)
  assert.equal(after.authUser, 'mailer')
  assert.equal(after.authPassword, '')
  const oidc = (await client.call('GET', '/OIDCConfig')).text
  assert.ok(!oidc.includes(String([...sim.state.collection('OIDCConfig').values()][0]?.sharedSecret)))
  const keys = (await client.call('GET', '/NucleusKey')).json as SimRecord[]
  assert.ok(keys.length > 0 && keys.every((k) => Object.keys(k).join() === 'uuid'))
})

test('settings collections support create, edit and delete; users, email targets and schedules take effect at once', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  // Which writes answer taskTag "" (applied before the answer) rather than a task: create, edit, delete.
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, [boolean, boolean, boolean]]> = [
    ['AlertSyslogTarget', { host: 'syslog.example.com', protocol: 'SYSLOG_PROTOCOL_TCP' }, { port: 6514 }, [false, false, false]],
    ['AlertEmailTarget', { emailAddress: 'ops@example.com' }, { resendDelay: 3600 }, [true, true, false]],
    ['MonitoringConfig', { interval: 30 }, { interval: 120 }, [false, false, false]],
    ['VirDomainSnapshotSchedule', { name: 'weekly', rrules: [{ name: 'Sunday', rrule: 'FREQ=WEEKLY;BYDAY=SU', dtstart: '2026-01-04T03:00:00Z', localRetentionDurationSeconds: 2419200 }] }, { name: 'weekly-4w' }, [true, true, true]]
  ]
  const write = async (res: SimResponse, now: boolean, what: string): Promise<string> => {
    if (now) return immediate(res)
    const done = await settled(client, res)
    assert.equal(done.task.state, 'COMPLETE', `${what}: ${done.task.formattedMessage}`)
    return done.createdUUID
  }
  for (const [collection, body, patch, [createNow, editNow, deleteNow]] of cases) {
    const uuid = await write(await client.call('POST', `/${collection}`, body), createNow, `create ${collection}`)
    const record = await getOne(client, `/${collection}/${uuid}`)
    for (const [key, value] of Object.entries(body)) {
      if (key !== 'rrules') assert.deepEqual(record[key], value, `${collection}.${key}`)
    }
    await write(await client.call('PATCH', `/${collection}/${uuid}`, patch), editNow, `edit ${collection}`)
    const after = await getOne(client, `/${collection}/${uuid}`)
    for (const [key, value] of Object.entries(patch)) assert.deepEqual(after[key], value, `${collection}.${key} after edit`)
    await write(await client.call('DELETE', `/${collection}/${uuid}`), deleteNow, `delete ${collection}`)
    assert.equal((await client.call('GET', `/${collection}/${uuid}`)).status, 404, collection)
  }
  const schedule = ((await client.call('GET', '/VirDomainSnapshotSchedule')).json as SimRecord[])[0] as SimRecord
  assert.ok((schedule.rrules as SimRecord[]).every((r) => typeof r.uuid === 'string'))
  assert.equal((await client.call('POST', '/TimeZone', { timeZone: 'Mars/Olympus_Mons' })).status, 400)
  assert.equal((await client.call('POST', '/DNSConfig', { searchDomains: [] })).status, 400, 'serverIPs is required')
})

test('singleton records have fixed UUIDs; creating one again changes the one there is', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const fixed: Record<string, string> = {
    DNSConfig: 'dnsconfig_guid',
    TimeSource: 'timesource_guid',
    TimeZone: 'timezone_guid',
    AlertSMTPConfig: 'smtpconfig_guid',
    Registration: 'registration_guid',
    OIDCConfig: 'oidcconfig_uuid'
  }
  for (const [collection, uuid] of Object.entries(fixed)) {
    const all = (await client.call('GET', `/${collection}`)).json as SimRecord[]
    assert.deepEqual(all.map((r) => r.uuid), [uuid], collection)
    assert.equal((await getOne(client, `/${collection}/${uuid}`)).uuid, uuid, collection)
  }
  const again = await settled(client, await client.call('POST', '/TimeSource', { host: 'time.example.com' }))
  assert.equal(again.task.state, 'COMPLETE')
  assert.equal(again.createdUUID, 'timesource_guid')
  const sources = (await client.call('GET', '/TimeSource')).json as SimRecord[]
  assert.deepEqual(sources.map((r) => [r.uuid, r.host]), [['timesource_guid', 'time.example.com']])
  // oidc.py edits and deletes the configuration by its fixed UUID.
  const edited = await settled(client, await client.call('PATCH', '/OIDCConfig/oidcconfig_uuid', { clientID: 'new-client' }))
  assert.equal(edited.task.state, 'COMPLETE')
  assert.equal((await getOne(client, '/OIDCConfig/oidcconfig_uuid')).clientID, 'new-client')
})

test('settings records carry latestTaskTag: {} until a task touches them, then that task\'s status record', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const settings = ['DNSConfig', 'TimeSource', 'TimeZone', 'AlertSMTPConfig', 'AlertEmailTarget', 'AlertSyslogTarget']
  for (const collection of settings) {
    const records = (await client.call('GET', `/${collection}`)).json as SimRecord[]
    assert.ok(records.length > 0, collection)
    for (const record of records) assert.deepEqual(record.latestTaskTag, {}, `${collection} ${record.uuid}`)
  }
  const edit = await settled(client, await client.call('PATCH', '/DNSConfig/dnsconfig_guid', { serverIPs: ['127.0.0.54'] }))
  const dns = await getOne(client, '/DNSConfig/dnsconfig_guid')
  const latest = dns.latestTaskTag as TaskTagStatus
  assert.equal(latest.taskTag, ((await client.call('GET', '/TaskTag')).json as TaskTagStatus[]).at(-1)?.taskTag)
  assert.equal(latest.state, edit.task.state)
  assert.equal(latest.objectUUID, 'dnsconfig_guid')
  const target = ((await client.call('GET', '/AlertEmailTarget')).json as SimRecord[])[0] as SimRecord
  const sent = await settled(client, await client.call('POST', `/AlertEmailTarget/${target.uuid}/test`))
  assert.equal(((await getOne(client, `/AlertEmailTarget/${target.uuid}`)).latestTaskTag as TaskTagStatus).taskTag, sent.task.taskTag)
  const syslog = ((await client.call('GET', '/AlertSyslogTarget')).json as SimRecord[])[0] as SimRecord
  const moved = await settled(client, await client.call('PATCH', `/AlertSyslogTarget/${syslog.uuid}`, { port: 1514 }))
  assert.equal(((await getOne(client, `/AlertSyslogTarget/${syslog.uuid}`)).latestTaskTag as TaskTagStatus).taskTag, moved.task.taskTag)
  const smtp = await getOne(client, '/AlertSMTPConfig/smtpconfig_guid')
  assert.equal(smtp.authPassword, '', 'the SMTP password stays blank')
  assert.ok('latestTaskTag' in smtp)
})

test('RemoteClusterConnection has replicationOK, remoteNodeUUIDs and an ESTABLISHED status', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const [connection] = (await client.call('GET', '/RemoteClusterConnection')).json as SimRecord[]
  assert.ok(connection !== undefined)
  // The fields remote_cluster.py reads (test_remote_cluster.py records the same shape).
  assert.equal(connection.replicationOK, true)
  assert.equal(connection.replicationOk, undefined)
  assert.equal(connection.connectionStatus, 'ESTABLISHED')
  assert.equal(typeof (connection.remoteClusterInfo as { clusterName: string }).clusterName, 'string')
  const ips = connection.remoteNodeIPs as string[]
  const uuids = connection.remoteNodeUUIDs as string[]
  assert.equal(uuids.length, ips.length)
  for (const uuid of uuids) assert.match(uuid, /^[0-9a-f-]{36}$/)
})

test('the support tunnel opens with a code, reports it, and closes; it needs a login', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const cookie = { cookie: `sessionID=${String(client.sessionID)}` }
  const check = async (): Promise<unknown> => (await client.raw('GET', '/support-api/check', undefined, cookie)).json
  assert.deepEqual(await check(), { tunnelOpen: false })
  const opened = await client.raw('GET', `/support-api/open?code=4422&user=${sim.username}`, undefined, cookie)
  assert.equal(opened.status, 200)
  assert.equal(opened.text, '')
  assert.deepEqual(await check(), { tunnelOpen: 4422 })
  assert.equal((await client.raw('GET', '/support-api/open?code=abc', undefined, cookie)).status, 400)
  assert.equal((await client.raw('GET', '/support-api/close', undefined, basicAuth(sim))).status, 200, 'HTTP Basic works too')
  assert.deepEqual(await check(), { tunnelOpen: false })
  assert.equal((await client.raw('GET', '/support-api/check')).status, 401)
})

test('replications need an existing VM and remote connection, and are listed on the VM', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const connection = ((await client.call('GET', '/RemoteClusterConnection')).json as SimRecord[])[0] as SimRecord
  const vm = [...sim.state.vms.values()].find((v) => v.replicationUUIDs.length === 0) as VmRecord
  assert.equal((await client.call('POST', '/VirDomainReplication', { sourceDomainUUID: 'nope', connectionUUID: connection.uuid, enable: true })).status, 404)
  assert.equal((await client.call('POST', '/VirDomainReplication', { sourceDomainUUID: vm.uuid, connectionUUID: 'nope', enable: true })).status, 404)
  const created = await settled(client, await client.call('POST', '/VirDomainReplication', { sourceDomainUUID: vm.uuid, connectionUUID: connection.uuid, enable: true, label: 'to DR' }))
  assert.equal(created.task.state, 'COMPLETE')
  assert.ok(vm.replicationUUIDs.includes(created.createdUUID))
})

test('unknown paths answer 404 and unsupported methods 405, both with an error body', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const missing = await client.call('GET', '/NoSuchResource')
  assert.equal(missing.status, 404)
  assert.equal(typeof (missing.json as { error: string }).error, 'string')
  assert.equal((await client.call('GET', '/virdomain')).status, 404, 'paths are case-sensitive')
  const wrong = await client.call('DELETE', '/Node')
  assert.equal(wrong.status, 405)
  assert.match(String(wrong.headers.allow), /GET/)
  assert.equal(typeof (wrong.json as { error: string }).error, 'string')
  const outside = await client.raw('GET', '/index.html')
  assert.equal(outside.status, 404)
})

test('a body that is not valid JSON gets 400 with an error body', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const res = await client.call('POST', '/VirDomain/action', undefined, { 'content-type': 'application/json' })
  assert.equal(res.status, 400)
  const broken = await client.dispatcher.request({
    origin: sim.url,
    path: '/rest/v1/VirDomain/action',
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `sessionID=${String(client.sessionID)}` },
    body: '[{"virDomainUUID":'
  })
  assert.equal(broken.statusCode, 400)
  assert.match(((await broken.body.json()) as { error: string }).error, /not valid JSON/)
})
