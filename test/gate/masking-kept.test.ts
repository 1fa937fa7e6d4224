import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { fitResult } from '../../src/tools/support/fit-result.js'
import { createMasker, isSecretKey, maskSecrets } from '../../src/gate/mask.js'
import { HyperCoreClient } from '../../src/scale/client.js'
import { readSnapshot, readVm, readVmHead } from '../../src/tools/support/cluster-records.js'
import { auth, buildTestApp, captureLogs, testConfig } from '../helper.js'
import { startFakeCluster } from '../scale/fake-cluster.js'
import { toolSetup } from '../tools/setup.js'

const PASSWORD = 'Cl*ster Pa$s/word@1'

/** An app in front of a fake cluster whose /Secrets list holds one record to keep and `cut` records to leave out. */
async function setup (t: TestContext, cut: number, answerMaxBytes = 16_384) {
  const fake = await startFakeCluster(t, { cert: null, password: PASSWORD })
  fake.route('GET', '/rest/v1/Secrets', (req) => {
    const session = /sessionID=([^;]+)/.exec(req.cookie ?? '')?.[1] ?? ''
    const kept = { name: 'kept', password: 'kept-pw-1111', uri: 'smb://u:kept-uri-2222@nas/s', note: `session ${session}` }
    const others = Array.from({ length: cut }, (_, i) => ({
      name: `cut-${i}`, password: `cut-pw-${i}-3333`, uri: `smb://u:cut-uri-${i}-4444@nas/s`, note: `session ${session} and ${PASSWORD}`, apiToken: `cut-tok-${i}-5555`, pad: 'x'.repeat(1500)
    }))
    return { body: [kept, ...others] }
  })
  const { logger, text } = captureLogs('trace')
  const cluster = new HyperCoreClient({ url: fake.url, username: fake.username, password: fake.password, auth: 'local', timeoutMs: 5000, insecureTls: false }, { log: logger })
  t.after(() => cluster.close())
  const app = await buildTestApp(t, testConfig({ SCALE_MODE: 'full', ANSWER_MAX_BYTES: String(answerMaxBytes) }), { cluster, clusterInfo: { mode: 'cluster', cluster: cluster.host } }, { logger })
  const call = async (body: Record<string, unknown>): Promise<{ statusCode: number, body: string, json: () => any }> =>
    await app.inject({ method: 'POST', url: '/run_api', headers: auth, payload: body })
  const sessions = (): string[] => fake.requests.map((r) => /sessionID=([^;]+)/.exec(r.cookie ?? '')?.[1]).filter((id): id is string => id !== undefined)
  return { call, logs: text, sessions }
}

function assertNoSecret (text: string, sessions: readonly string[], what: string): void {
  for (const secret of ['kept-pw-1111', 'kept-uri-2222', '3333', '4444', '5555', PASSWORD, ...sessions]) {
    assert.ok(!text.includes(secret), `${what}: ${secret} leaked`)
  }
}

test('run_api: a secret in a list item that is kept is masked and counted; one in an item that is cut never appears', async (t) => {
  const { call, logs, sessions } = await setup(t, 30)
  const one = await call({ query: '/Secrets', maxItems: 1 })
  assert.equal(one.statusCode, 200)
  const session = sessions()[0] as string
  assert.ok(session.length >= 4)
  assert.deepEqual(one.json().data, [{ name: 'kept', password: '[redacted]', uri: 'smb://u:***@nas/s', note: 'session [redacted]' }])
  // What is counted is what is shown: the kept record's password and session ID, and its one URI password.
  assert.deepEqual(one.json().notes.slice(1, 3), [
    '2 secret value(s) in the answer (passwords, session IDs, tokens) were replaced by [redacted].',
    '1 password(s) inside URIs in the answer were replaced by ***.'
  ])
  assert.deepEqual(one.json().truncated, { returned: 1, total: 31 })

  // Cut by fields: the secret fields are left out, the session ID in the field kept is masked.
  const picked = await call({ query: '/Secrets', fields: ['name', 'note'], maxItems: 3 })
  assert.deepEqual(picked.json().data, [{ name: 'kept', note: 'session [redacted]' }, { name: 'cut-0', note: 'session [redacted] and [redacted]' }, { name: 'cut-1', note: 'session [redacted] and [redacted]' }])
  assert.match(picked.json().notes[1], /^5 secret value\(s\)/)

  // Cut by bytes (no maxItems: lists default to 10, and these do not fit the cap).
  const capped = await call({ query: '/Secrets' })
  const shown = capped.json().data as Array<Record<string, unknown>>
  assert.ok(shown.length > 1 && shown.length < 10, String(shown.length))
  assert.equal(shown[1]?.password, '[redacted]')
  for (const res of [one, picked, capped]) assertNoSecret(res.body, sessions(), 'answer')
  assertNoSecret(logs(), sessions(), 'logs')
})

test('list_vms and get_vm: a VM named with a URI password shows masked when kept, never when cut, and no filter finds its secret', async (t) => {
  const s = await toolSetup(t, { sim: { vms: 80 } })
  const vms = [...s.sim.state.vms.values()] as unknown as Array<Record<string, any>>
  const keptVm = vms.find((v) => v.name === 'dc01') as Record<string, any>
  keptVm.name = 'a smb://backup:kept-uri-2222@nas/share'
  keptVm.description = 'password=kept-pw-1111'
  keptVm.adminPassword = 'kept-pw-1111'
  const cutVm = vms.find((v) => v.name === 'web02') as Record<string, any>
  cutVm.name = 'zz smb://backup:cut-uri-4444@nas/share'
  cutVm.tags = 'prod,smb://u:cut-tag-5555,x@nas/s'
  const listed = await s.ok('list_vms', { limit: 5 })
  assert.equal(listed.vms[0].name, 'a smb://backup:***@nas/share')
  assert.equal(listed.returned, 5)
  const found = await s.ok('list_vms', { name: 'zz smb' })
  assert.deepEqual(found.vms.map((v: { name: string, tags: string[] }) => [v.name, v.tags]), [['zz smb://backup:***@nas/share', ['prod', 'smb://u:***@nas/s']]])
  for (const probe of ['kept-uri', 'cut-uri-4444', 'backup:c']) assert.equal((await s.ok('list_vms', { name: probe })).total, 0, probe)
  assert.equal((await s.ok('list_vms', { tag: 'x@nas/s' })).total, 0, 'a tag is split after masking')
  const vm = await s.ok('get_vm', { vm: 'a smb://backup:***@nas/share' })
  assert.equal(vm.description, 'password=[redacted]')
  const all = JSON.stringify([listed, found, vm, await s.ok('list_vms', { limit: 500 })])
  for (const secret of ['kept-uri-2222', 'kept-pw-1111', 'cut-uri-4444', 'cut-tag-5555']) assert.ok(!all.includes(secret), `${secret} leaked`)
})

test('the record readers read no secret-named field, so masking the strings they read equals reading masked records', () => {
  const read: string[] = []
  const watch = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value
    return new Proxy(value, {
      get (target, key) {
        if (typeof key === 'string') read.push(key)
        return watch((target as Record<string | symbol, unknown>)[key])
      }
    })
  }
  const vm = { uuid: 'u', name: 'n', description: 'd', state: 'RUNNING', nodeUUID: 'x', numVCPU: 2, mem: 1, tags: 'a,b', password: 'p', console: { password: 'p' } }
  const disk = { uuid: 'b', type: 'VIRTIO_DISK', slot: 0, capacity: 1, name: '', path: 'p', passphrase: 'p' }
  const nic = { uuid: 'n', type: 'VIRTIO', macAddress: 'm', vlan: 0, connected: true, ipv4Addresses: ['127.0.0.4'], psk: 'p' }
  const rest = { bootDevices: ['b'], snapUUIDs: [], snapshotScheduleUUID: '', machineType: 'm', machineTypeKeyword: '', operatingSystem: 'o' }
  const snapshot = { domainUUID: 'd', domain: { uuid: 'd', name: 'n', sessionID: 's' }, label: 'l', type: 'USER', timestamp: 1, deviceSnapshots: [] }
  const record = { ...vm, blockDevs: [disk], netDevs: [nic], ...rest, ...snapshot }
  readVm(watch(record))
  readVmHead(watch(record)).full()
  readSnapshot(watch(record))
  const secret = [...new Set(read)].filter((k) => isSecretKey(k))
  assert.deepEqual(secret, [])
  assert.ok(read.includes('macAddress') && read.includes('label'), 'the proxy saw the reads')
})

test('fitResult with a masker masks only the list items it walks and counts only those it returns', () => {
  const items = Array.from({ length: 10_000 }, (_, i) => ({ name: `vm-${i}`, password: `pw-${i}`, pad: 'x'.repeat(100) }))
  const masker = createMasker({})
  let walked = 0
  const counting = { ...masker, value: <T>(v: T): T => { walked++; return masker.value(v) }, get report () { return masker.report } }
  const fitted = fitResult(items, { maxBytes: 1024, receivedBytes: 2_000_000, masker: counting })
  const data = fitted.data as Array<Record<string, unknown>>
  assert.ok(data.length > 1 && data.length < 10, String(data.length))
  assert.equal(walked, data.length + 1, 'the items kept and the one that did not fit')
  assert.ok(data.every((d) => d.password === '[redacted]'))
  assert.deepEqual(fitted.masked, { secretFields: data.length, uriPasswords: 0, knownSecrets: 0 })
  assert.equal(items[data.length + 1]?.password, `pw-${data.length + 1}`, 'the items after it were never touched')
  // The same cut as masking the whole answer first.
  const whole = fitResult(maskSecrets(structuredClone(items)).value, { maxBytes: 1024, receivedBytes: 2_000_000 })
  assert.deepEqual({ ...fitted, masked: undefined }, { ...whole, masked: undefined })
})

test('secret-key decisions stay right past the cache: thousands of distinct and very long key names', () => {
  const record: Record<string, string> = {}
  for (let i = 0; i < 10_000; i++) {
    record[`k${i}_password`] = 'p'
    record[`k${i}Name`] = 'n'
  }
  record[`${'x'.repeat(5000)}Token`] = 't'
  const { report } = maskSecrets(record)
  assert.equal(report.secretFields, 10_001)
  assert.equal(record.k9999Name, 'n')
  assert.equal(isSecretKey('passwordExpired'), false)
  assert.equal(isSecretKey('Shared-Secret'), true)
})
