import assert from 'node:assert/strict'
import { test } from 'node:test'
import { generate } from 'selfsigned'
import type { CatalogOperation } from '../../src/catalog/catalog.js'
import { ManualClock, type RunningSimulator, type SimRecord, type VmRecord } from '../../src/simulator/index.js'
import { testCatalog } from '../helper.js'
import { createSimClient, simFetch, startTestSimulator } from '../simulator-helper.js'

const GIB = 1024 ** 3
const PUBLIC = new Set(['GET /ping', 'POST /login', 'OPTIONS /login', 'POST /logout'])

function first (sim: RunningSimulator, collection: string): SimRecord {
  const record = sim.state.collection(collection).values().next().value
  assert.ok(record !== undefined, `the seed has a ${collection}`)
  return record
}

/** Real values from the seed for an operation's path parameters. */
function pathFor (sim: RunningSimulator, op: CatalogOperation, taskTag: string): string {
  const [, collection] = op.path.split('/') as [string, string]
  return op.path.replace(/\{([^}]+)\}/g, (_m, param: string) => {
    if (collection === 'TaskTag') return taskTag
    if (collection === 'Condition') return String(first(sim, 'Condition').name)
    if (collection === 'GPUProfile') return first(sim, 'GPU').uuid
    if (collection === 'ClusterRegistrationData') return String(first(sim, 'ClusterRegistrationData').clusterID)
    if (collection === 'VirDomainStats') return first(sim, 'VirDomain').uuid
    if (op.path === '/VirDomainBlockDevice/{uuid}/clone') return sim.state.snapshots.values().next().value?.deviceSnapshots[0]?.uuid as string
    if (collection === 'VirDomain' && op.method === 'DELETE') return offVm(sim).uuid
    // Deleting a user takes effect at once, and the logged-in one cannot go.
    if (collection === 'User' && op.method === 'DELETE') return ([...sim.state.collection('User').values()].find((u) => u.username !== sim.username) as SimRecord).uuid
    assert.ok(param.length > 0)
    return first(sim, collection).uuid
  })
}

function offVm (sim: RunningSimulator): VmRecord {
  return [...sim.state.vms.values()].find((v) => v.state === 'SHUTOFF') as VmRecord
}

/** A valid body for each operation that takes one, built from the seed. */
async function bodyFor (sim: RunningSimulator, op: CatalogOperation, current: () => Promise<unknown>): Promise<unknown> {
  const vm = offVm(sim)
  const snap = sim.state.snapshots.values().next().value as { uuid: string }
  const bodies: Record<string, unknown> = {
    'POST /login': { username: sim.username, password: sim.password },
    'POST /AlertSMTPConfig': { smtpServer: 'smtp2.example.com', port: 587 },
    'POST /AlertEmailTarget': { emailAddress: 'walk@example.com' },
    'POST /AlertSyslogTarget': { host: 'syslog2.example.com' },
    'POST /NucleusKey': { value: 'walk-key' },
    'POST /Cluster/shutdown': { forceShutdown: false },
    'POST /DNSConfig': { serverIPs: ['127.0.0.53'] },
    'POST /ISO': { name: 'walk.iso', readyForInsert: false },
    'POST /MonitoringConfig': { interval: 60 },
    'POST /OIDCConfig': { configurationURL: 'https://idp.example.com/.well-known/openid-configuration', scopes: 'openid' },
    'POST /Registration': { companyName: 'Walk Inc.' },
    'POST /TimeSource': { host: 'time2.example.com' },
    'POST /TimeZone': { timeZone: 'UTC' },
    'POST /User': { username: 'walker', password: 'walk-pass' },
    'POST /VirDomain': { dom: { name: 'walk-vm', mem: GIB, numVCPU: 1 }, options: {} },
    'POST /VirDomainBlockDevice': { virDomainUUID: vm.uuid, type: 'VIRTIO_DISK', capacity: GIB },
    'POST /VirDomainNetDevice': { virDomainUUID: vm.uuid },
    'POST /VirDomainReplication': { sourceDomainUUID: vm.uuid, connectionUUID: first(sim, 'RemoteClusterConnection').uuid, enable: true },
    'POST /VirDomainSnapshot': { domainUUID: vm.uuid, label: 'walk' },
    'POST /VirDomainSnapshotSchedule': { name: 'walk', rrules: [] },
    'POST /VirDomain/{virDomainUUID}/export': { target: { pathURI: 'smb://user:secret@nas/share/walk' } },
    'POST /VirDomain/import': { source: { pathURI: 'smb://user:secret@nas/share/walk' } },
    'POST /VirDomain/{virDomainUUID}/clone': { template: { name: 'walk-clone' } },
    'POST /VirDomain/action': [{ virDomainUUID: first(sim, 'VirDomain').uuid, actionType: 'NMI' }],
    'PUT /ISO/{uuid}/data': Buffer.alloc(2048, 1),
    'PUT /VirtualDisk/upload': Buffer.alloc(4096, 2),
    'POST /VirDomainBlockDevice/{uuid}/clone': { snapUUID: snap.uuid, options: {}, template: { virDomainUUID: vm.uuid, type: 'VIRTIO_DISK', capacity: 1 } },
    'POST /VirtualDisk/{uuid}/attach': { options: {}, template: { virDomainUUID: vm.uuid, type: 'VIRTIO_DISK', capacity: 1 } }
  }
  const key = `${op.method} ${op.path}`
  if (key in bodies) return bodies[key]
  if (op.requestContentType === undefined) return undefined
  // Edits: PATCH with nothing to change, POST with the record as it is (what a read-modify-write client sends).
  if (op.method === 'PATCH') return {}
  if (op.method === 'POST' && /\}$/.test(op.path)) return await current()
  assert.fail(`no body for ${key}`)
}

test('every catalogued operation is answered with a valid session, never 404 or 405', async (t) => {
  const catalog = await testCatalog()
  // The clock stands still, so no task ends: the cluster shutdown and the update never take the API away mid-walk.
  const sim = await startTestSimulator(t, { clock: new ManualClock() })
  const client = await simFetch(t, sim)
  const tag = ((await client.call('POST', '/VirDomain/action', [{ virDomainUUID: first(sim, 'VirDomain').uuid, actionType: 'NMI' }])).json as { taskTag: string }).taskTag
  const pems = await generate([{ name: 'commonName', value: 'walk' }], { keyType: 'ec', extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }] })

  // Deletes after everything else so the records other calls need still exist; logout and the certificate swap last.
  const rank = (op: CatalogOperation): number => op.path === '/logout' ? 3 : op.path === '/Certificate' ? 2 : op.method === 'DELETE' ? 1 : 0
  const ordered = [...catalog.operations].sort((a, b) => rank(a) - rank(b))
  const seen = new Set<string>()
  for (const op of ordered) {
    const key = `${op.method} ${op.path}`
    let path = pathFor(sim, op, tag)
    if (key === 'PUT /VirtualDisk/upload') path += '?filename=walk.img'
    if (key === 'GET /Condition/filter') path += '?includeSet=true'
    const body = key === 'POST /Certificate'
      ? { certificate: pems.cert, privateKey: pems.private }
      : await bodyFor(sim, op, async () => ((await client.call('GET', path)).json as unknown[])[0])
    const res = await client.call(op.method, path, body)
    assert.equal(res.status, 200, `${key} (${path}) answered ${res.status}: ${res.text}`)
    if (op.method !== 'OPTIONS') assert.notEqual(res.json, undefined, `${key} answers JSON`)
    if (op.mutating && !PUBLIC.has(key)) {
      const answer = res.json as { taskTag?: unknown, createdUUID?: unknown }
      assert.equal(typeof answer.taskTag, 'string', `${key} answers a taskTag`)
      assert.equal(typeof answer.createdUUID, 'string', `${key} answers a createdUUID`)
    }
    if (op.method === 'GET' && !PUBLIC.has(key)) assert.ok(Array.isArray(res.json), `${key} answers an array`)
    seen.add(key)
  }
  assert.equal(seen.size, catalog.operations.length)
  sim.tasks.drain()
})

test('every catalogued operation but ping, login and logout answers 401 without a session', async (t) => {
  const catalog = await testCatalog()
  const sim = await startTestSimulator(t)
  const client = createSimClient(t, sim)
  for (const op of catalog.operations) {
    const key = `${op.method} ${op.path}`
    if (PUBLIC.has(key)) continue
    const path = op.path.replace(/\{[^}]+\}/g, 'x')
    const res = await client.call(op.method, path, op.requestContentType === 'application/octet-stream' ? Buffer.alloc(1) : op.requestContentType === undefined ? undefined : {})
    assert.equal(res.status, 401, key)
    assert.equal(typeof (res.json as { error: string }).error, 'string', key)
  }
})
