import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog, bundledFile } from '../../src/catalog/catalog.js'
import { collectRefs, hasRef, readPointer } from '../../src/catalog/schema.js'
import { isAppError } from '../../src/errors/app-error.js'

const TAGS = ['VMs', 'Snapshots', 'Storage', 'Network', 'Cluster', 'Alerts', 'Users', 'Time and DNS', 'Updates', 'Session']

async function tempDir (): Promise<string> {
  return await mkdtemp(join(tmpdir(), 'catalog-test-'))
}

async function rejectsInvalid (file: string, about: RegExp): Promise<void> {
  await assert.rejects(Catalog.load(file), (err: unknown) => {
    assert.ok(isAppError(err), 'an AppError')
    assert.equal(err.code, 'SCHEMA_FILE_INVALID')
    assert.ok(err.message.includes(file), `message names the file: ${err.message}`)
    assert.match(err.message, about)
    return true
  })
}

test('the bundled catalogue has the 150 HyperCore 9.4 operations', async () => {
  const catalog = await Catalog.load()
  assert.equal(catalog.operations.length, 150)
  assert.equal(catalog.version, '9.4')
  assert.deepEqual(catalog.tags, TAGS)
})

test('every $ref in the bundled document resolves, and resolved schemas hold none', async () => {
  const document = JSON.parse(await readFile(bundledFile(), 'utf8')) as unknown
  const refs = collectRefs(document)
  assert.ok(refs.length > 50, 'the document uses components')
  const dangling = refs.filter(({ ref }) => readPointer(document, ref) === undefined)
  assert.deepEqual(dangling, [])
  const catalog = await Catalog.load()
  for (const op of catalog.operations) {
    assert.equal(hasRef(op.requestSchema), false, `${op.operationId} request schema`)
    assert.equal(hasRef(op.responseSchema), false, `${op.operationId} response schema`)
  }
})

test('operationIds are unique and every operation has one of the ten tags', async () => {
  const document = JSON.parse(await readFile(bundledFile(), 'utf8')) as { paths: Record<string, Record<string, { tags: string[] }>> }
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) assert.equal(op.tags.length, 1, `${method} ${path} has exactly one tag`)
  }
  const catalog = await Catalog.load()
  const ids = catalog.operations.map((op) => op.operationId)
  assert.equal(new Set(ids).size, ids.length)
  for (const op of catalog.operations) {
    assert.ok(TAGS.includes(op.tag), `${op.operationId} has tag ${op.tag}`)
    assert.ok(op.summary.length > 10, `${op.operationId} has a summary`)
    assert.ok(op.description.length > 20, `${op.operationId} has a description`)
  }
  for (const id of ['listVirDomains', 'getVirDomain', 'createVirDomain', 'updateVirDomain', 'patchVirDomain', 'deleteVirDomain', 'virDomainAction', 'cloneVirDomain', 'login', 'logout', 'ping']) {
    assert.ok(catalog.byId(id) !== undefined, id)
  }
  assert.equal(catalog.byId('updateVirDomain')?.method, 'POST')
  assert.equal(catalog.byId('updateVirDomain')?.path, '/VirDomain/{virDomainUUID}')
})

test('summaries name things the way newcomers do', async () => {
  const catalog = await Catalog.load()
  assert.match(catalog.byId('listVirDomains')?.summary ?? '', /\bVMs?\b/)
  assert.match(catalog.byId('createVirDomainBlockDevice')?.summary ?? '', /\bdisk\b/)
  assert.match(catalog.byId('createVirDomainNetDevice')?.summary ?? '', /\bNIC\b/)
  assert.match(catalog.byId('listConditions')?.summary ?? '', /\balert/)
})

test('operations carry content types, path parameters, flags and answers', async () => {
  const catalog = await Catalog.load()
  const get = catalog.byId('getVirDomain')
  assert.deepEqual(get?.pathParams, ['virDomainUUID'])
  assert.equal(get?.mutating, false)
  assert.equal(get?.responseSchema?.type, 'array')
  assert.equal(catalog.byId('createVirDomain')?.mutating, true)
  assert.equal(catalog.byId('createVirDomain')?.requestContentType, 'application/json')
  assert.equal(catalog.byId('uploadISOData')?.requestContentType, 'application/octet-stream')
  assert.equal(catalog.byId('uploadVirtualDisk')?.requestContentType, 'application/octet-stream')
  assert.deepEqual(Object.keys(catalog.byId('createVirDomain')?.responses ?? {}), ['200', '400', '403', '500', '503'])
  const created = catalog.byId('createVirDomain')?.responseSchema
  assert.deepEqual(created?.required, ['taskTag', 'createdUUID'])
  const blockDevs = ((catalog.byId('createVirDomain')?.requestSchema?.properties as any).dom.properties.blockDevs)
  assert.equal(blockDevs['x-create-only'], true)
  assert.equal((catalog.byId('createVirDomain')?.requestSchema?.properties as any).dom.properties.console['x-uncertain'], true)
  for (const id of ['listVirDomains', 'listVirDomainBlockDevices', 'listVirDomainNetDevices', 'listTaskTags']) {
    const schema = catalog.byId(id)?.responseSchema
    assert.equal(schema?.type, 'array', id)
    assert.equal((schema?.items as any)?.type, 'object', id)
  }
})

test('find prefers a literal segment over a parameter and accepts the /rest/v1 prefix', async () => {
  const catalog = await Catalog.load()
  assert.equal(catalog.find('POST', '/VirDomain/action')?.operation.operationId, 'virDomainAction')
  assert.equal(catalog.find('post', '/rest/v1/VirDomain/action')?.operation.operationId, 'virDomainAction')
  const vm = catalog.find('POST', '/rest/v1/VirDomain/7f3e11aa-0000-4000-8000-000000000001?verbose=1')
  assert.equal(vm?.operation.operationId, 'updateVirDomain')
  assert.deepEqual(vm?.params, { virDomainUUID: '7f3e11aa-0000-4000-8000-000000000001' })
  assert.equal(catalog.find('GET', '/VirDomain/')?.operation.operationId, 'listVirDomains')
  assert.equal(catalog.find('GET', '/Condition/filter')?.operation.operationId, 'filterConditions')
  assert.equal(catalog.find('GET', '/Condition/disk_full')?.operation.operationId, 'getCondition')
  assert.equal(catalog.find('PUT', '/ISO/abc/data')?.operation.operationId, 'uploadISOData')
  assert.equal(catalog.find('GET', '/NoSuchThing'), undefined)
  assert.equal(catalog.find('DELETE', '/VirDomain'), undefined)
  assert.equal(catalog.find('GET', '/virdomain'), undefined, 'case-sensitive by default')
  assert.equal(catalog.find('GET', '/virdomain', { ignoreCase: true })?.operation.operationId, 'listVirDomains')
})

test('operationsForPath lists every method on the best-matching template', async () => {
  const catalog = await Catalog.load()
  const ids = catalog.operationsForPath('/VirDomain/{virDomainUUID}').map((op) => op.operationId).sort()
  assert.deepEqual(ids, ['deleteVirDomain', 'getVirDomain', 'patchVirDomain', 'updateVirDomain'])
  assert.deepEqual(catalog.operationsForPath('/rest/v1/VirDomain/action').map((op) => op.operationId), ['virDomainAction'])
  assert.deepEqual(catalog.operationsForPath('/nothing/here'), [])
})

test('the bundled catalogue is loaded once and shared', async () => {
  assert.equal(await Catalog.load(), await Catalog.load())
})

test('a missing schema file is refused with SCHEMA_FILE_INVALID', async () => {
  const file = join(await tempDir(), 'missing.json')
  await rejectsInvalid(file, /does not exist/)
})

test('a schema file that is not JSON is refused with SCHEMA_FILE_INVALID', async () => {
  const file = join(await tempDir(), 'broken.json')
  await writeFile(file, '{ "openapi": "3.0.3", ')
  await rejectsInvalid(file, /not valid JSON/)
})

test('a JSON file that is not OpenAPI is refused with SCHEMA_FILE_INVALID', async () => {
  const file = join(await tempDir(), 'package.json')
  await writeFile(file, JSON.stringify({ name: 'not-an-api', version: '1.0.0' }))
  await rejectsInvalid(file, /not an OpenAPI document/)
})

test('an OpenAPI file that breaks the specification is refused with SCHEMA_FILE_INVALID', async () => {
  const file = join(await tempDir(), 'bad-openapi.json')
  await writeFile(file, JSON.stringify({ openapi: '3.0.3', info: { title: 'x' }, paths: { '/a': { get: { responses: 'nope' } } } }))
  await rejectsInvalid(file, /not a valid OpenAPI/)
})

test('a valid alternative OpenAPI file (a newer cluster) loads instead of the bundled one', async () => {
  const file = join(await tempDir(), 'hypercore-9.6.json')
  await writeFile(file, JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'HyperCore', version: '9.6' },
    tags: [{ name: 'Cluster' }],
    paths: {
      '/rest/v1/ClusterSpec': { get: { tags: ['Cluster'], summary: 'Cluster spec', responses: { 200: { description: 'ok' } } } },
      '/rest/v1/Widget/{id}': {
        patch: {
          operationId: 'patchWidget',
          description: 'Change a widget. Second sentence.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Widget' } } } },
          responses: { 200: { description: 'ok' } }
        }
      }
    },
    components: { schemas: { Widget: { type: 'object', properties: { size: { type: 'integer' } } } } }
  }))
  const catalog = await Catalog.load(file)
  assert.equal(catalog.version, '9.6')
  assert.equal(catalog.operations.length, 2)
  assert.equal(catalog.find('GET', '/rest/v1/ClusterSpec')?.operation.operationId, 'getClusterSpec')
  const patch = catalog.find('PATCH', '/Widget/7')
  assert.equal(patch?.operation.summary, 'Change a widget.')
  assert.equal(patch?.operation.tag, 'Other')
  assert.deepEqual(patch?.operation.requestSchema, { type: 'object', properties: { size: { type: 'integer' } } })
})

test('a YAML OpenAPI file loads too', async () => {
  const file = join(await tempDir(), 'api.yaml')
  await writeFile(file, [
    'openapi: 3.0.3',
    'info: { title: Mini, version: "1.0" }',
    'paths:',
    '  /ping:',
    '    get:',
    '      operationId: ping',
    '      responses:',
    '        "200": { description: ok }'
  ].join('\n'))
  const catalog = await Catalog.load(file)
  assert.equal(catalog.byId('ping')?.path, '/ping')
})

test('the bundled document is valid OpenAPI 3.0 according to swagger-parser', async () => {
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser')
  const api = await SwaggerParser.validate(bundledFile()) as { openapi: string }
  assert.equal(api.openapi, '3.0.3')
})

test('a Swagger 2.0 file loads, with its body parameter as the request schema', async () => {
  const file = join(await tempDir(), 'swagger.json')
  await writeFile(file, JSON.stringify({
    swagger: '2.0',
    info: { title: 'Old', version: '8.0' },
    basePath: '/rest/v1',
    consumes: ['application/json'],
    paths: {
      '/VirDomain': {
        post: {
          operationId: 'createVM',
          tags: ['VMs'],
          parameters: [{ name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/VM' } }],
          responses: { 200: { description: 'ok', schema: { type: 'object', properties: { taskTag: { type: 'string' } } } } }
        }
      }
    },
    definitions: { VM: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } }
  }))
  const catalog = await Catalog.load(file)
  const op = catalog.find('POST', '/rest/v1/VirDomain')?.operation
  assert.equal(op?.operationId, 'createVM')
  assert.equal(op?.requestContentType, 'application/json')
  assert.deepEqual(op?.requestSchema, { type: 'object', required: ['name'], properties: { name: { type: 'string' } } })
  assert.equal(op?.responseSchema?.type, 'object')
})
