import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SimRecord } from '../../src/simulator/index.js'
import { testCatalog } from '../helper.js'
import { basicAuth, createSimClient, simFetch, startTestSimulator } from '../simulator-helper.js'

type Schema = { required?: string[], properties?: Record<string, Schema> }

function requestSchema (spec: { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>> }, method: string, path: string): Schema {
  const schema = spec.paths[path]?.[method.toLowerCase()]?.requestBody?.content['application/json']?.schema
  assert.ok(schema !== undefined, `${method} ${path} has a JSON body`)
  return schema
}

test('GET /rest/v1/openapi.json serves the simulator\'s own spec (HTTP Basic or a session), one operation per catalogued one', async (t) => {
  const catalog = await testCatalog()
  const sim = await startTestSimulator(t)
  const anonymous = createSimClient(t, sim)
  assert.equal((await anonymous.raw('GET', '/rest/v1/openapi.json')).status, 401)
  const res = await anonymous.raw('GET', '/rest/v1/openapi.json', undefined, basicAuth(sim))
  assert.equal(res.status, 200)
  assert.match(String(res.headers['content-type']), /application\/json/)
  const spec = res.json as { openapi: string, info: { version: string }, servers: Array<{ url: string }>, paths: Record<string, Record<string, { operationId: string }>> }
  assert.equal(spec.openapi, '3.0.3')
  assert.deepEqual(spec.servers, [{ url: '/rest/v1' }])
  const served = Object.entries(spec.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`))
  assert.deepEqual(served.sort(), catalog.operations.map((op) => `${op.method} ${op.path} ${op.operationId}`).sort())
  const session = await simFetch(t, sim)
  assert.equal((await session.raw('GET', '/rest/v1/openapi.json', undefined, { cookie: `sessionID=${String(session.sessionID)}` })).status, 200)
})

test('required fields agree: the catalog (describe_endpoint), the served spec and the simulator\'s refusals', async (t) => {
  const catalog = await testCatalog()
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const spec = (await client.raw('GET', '/rest/v1/openapi.json', undefined, basicAuth(sim))).json as Parameters<typeof requestSchema>[0]
  const vm = [...sim.state.vms.values()][0] as SimRecord
  const cases: Array<{ path: string, at: string[], field: string, body: Record<string, unknown> }> = [
    { path: '/VirDomain', at: ['dom'], field: 'name', body: { dom: { name: 'x', mem: 1073741824, numVCPU: 1 }, options: {} } },
    { path: '/VirDomain', at: ['dom'], field: 'mem', body: { dom: { name: 'x', mem: 1073741824, numVCPU: 1 }, options: {} } },
    { path: '/VirDomain', at: ['dom'], field: 'numVCPU', body: { dom: { name: 'x', mem: 1073741824, numVCPU: 1 }, options: {} } },
    { path: '/VirDomainSnapshot', at: [], field: 'domainUUID', body: { domainUUID: vm.uuid, label: 'x' } },
    { path: '/VirDomainBlockDevice', at: [], field: 'virDomainUUID', body: { virDomainUUID: vm.uuid, type: 'VIRTIO_DISK', capacity: 1073741824 } },
    { path: '/VirDomainNetDevice', at: [], field: 'virDomainUUID', body: { virDomainUUID: vm.uuid, type: 'VIRTIO' } }
  ]
  for (const c of cases) {
    const where = `POST ${c.path} ${[...c.at, c.field].join('.')}`
    let described = catalog.find('POST', c.path)?.operation.requestSchema as Schema | undefined
    let live: Schema | undefined = requestSchema(spec, 'POST', c.path)
    for (const key of c.at) {
      described = described?.properties?.[key]
      live = live?.properties?.[key]
    }
    assert.ok(described?.required?.includes(c.field), `${where} is required in the catalog`)
    assert.ok(live?.required?.includes(c.field), `${where} is required in the served spec`)
    const body = structuredClone(c.body)
    const parent = c.at.reduce<Record<string, unknown>>((obj, key) => obj[key] as Record<string, unknown>, body)
    delete parent[c.field]
    const refused = await client.call('POST', c.path, body)
    assert.equal(refused.status, 400, `${where}: ${refused.text}`)
    assert.match((refused.json as { error: string }).error, new RegExp(c.field), where)
  }
})

test('the cluster reports its icosVersion; /rest/v2/openAPI.json answers only from 9.7.1', async (t) => {
  const old = await startTestSimulator(t)
  const oldClient = await simFetch(t, old)
  assert.equal(((await oldClient.call('GET', '/Cluster')).json as SimRecord[])[0]?.icosVersion, '9.4.30.217736')
  const v2Missing = await oldClient.raw('GET', '/rest/v2/openAPI.json', undefined, basicAuth(old))
  assert.equal(v2Missing.status, 404)

  const recent = await startTestSimulator(t, { icosVersion: '9.7.4.225310' })
  const client = await simFetch(t, recent)
  assert.equal(((await client.call('GET', '/Cluster')).json as SimRecord[])[0]?.icosVersion, '9.7.4.225310')
  assert.equal((await client.raw('GET', '/rest/v2/openAPI.json')).status, 401)
  const v2 = await client.raw('GET', '/rest/v2/openAPI.json', undefined, basicAuth(recent))
  assert.equal(v2.status, 200)
  assert.deepEqual((v2.json as { servers: unknown }).servers, [{ url: '/rest/v2' }])
  await assert.rejects(startTestSimulator(t, { icosVersion: 'nine' }), /icosVersion/)
})
