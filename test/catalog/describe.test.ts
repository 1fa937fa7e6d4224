import { test } from 'node:test'
import assert from 'node:assert/strict'
import AjvModule from 'ajv'
import { Catalog } from '../../src/catalog/catalog.js'
import { describeEndpoint } from '../../src/catalog/describe.js'
import { validatePayload } from '../../src/catalog/validate.js'
import { isAppError } from '../../src/errors/app-error.js'

const Ajv = AjvModule.default

// A second, independent validator: a plain Ajv with no caching and no x-uncertain handling.
function independentlyValid (schema: unknown, data: unknown): boolean {
  const ajv = new Ajv({ strict: false, allErrors: true })
  const validate = ajv.compile(schema as object)
  const ok = validate(data)
  if (!ok) console.error(validate.errors)
  return ok
}

test('POST /VirDomain is described with a resolved schema and a useful example that validates', async () => {
  const catalog = await Catalog.load()
  const d = describeEndpoint(catalog, 'POST', '/VirDomain')
  assert.equal(d.operationId, 'createVirDomain')
  assert.equal(d.tag, 'VMs')
  assert.equal(d.mutating, true)
  assert.equal(d.requestContentType, 'application/json')
  assert.ok(d.requestSchema)
  assert.equal(JSON.stringify(d).includes('$ref'), false)
  assert.deepEqual(d.required, ['dom', 'dom.name', 'dom.mem', 'dom.numVCPU', 'options'])
  const example = d.example as { dom: { name: string, mem: number, numVCPU: number } }
  assert.equal(typeof example.dom.name, 'string')
  assert.equal(typeof example.dom.mem, 'number')
  assert.equal(typeof example.dom.numVCPU, 'number')
  const op = catalog.byId('createVirDomain')
  assert.ok(op)
  assert.deepEqual(validatePayload(op, d.example).errors, [])
  assert.ok(independentlyValid(d.requestSchema, d.example))
})

test('fields are flattened with their flags', async () => {
  const catalog = await Catalog.load()
  const d = describeEndpoint(catalog, 'POST', '/VirDomain')
  const field = (path: string): Record<string, unknown> | undefined => d.fields.find((f) => f.path === path) as Record<string, unknown> | undefined
  assert.equal(field('dom.uuid')?.readOnly, true)
  assert.equal(field('dom.blockDevs')?.createOnly, true)
  assert.equal(field('dom.blockDevs')?.type, 'array of object')
  assert.deepEqual(field('dom.blockDevs[].type')?.enum, ['IDE_DISK', 'SCSI_DISK', 'VIRTIO_DISK', 'IDE_CDROM', 'IDE_FLOPPY', 'NVRAM', 'VTPM'])
  assert.equal(field('dom.blockDevs[].tieringPriorityFactor')?.default, 8)
  assert.equal(field('dom.console')?.uncertain, true)
  assert.equal(field('dom.console.port')?.uncertain, true, 'uncertainty is inherited')
  assert.equal(field('dom.isTransient')?.internal, true)
  assert.equal(field('options.attachGuestToolsISO')?.default, true)
  assert.equal(field('dom')?.required, true)
  assert.equal(field('dom.name')?.required, true)
  assert.equal(field('dom.description')?.required, false)
  const user = describeEndpoint(catalog, 'POST', '/User')
  assert.equal(user.fields.find((f) => f.path === 'password')?.writeOnly, true)
})

test('POST /VirDomain/action is described as an array of actions with a START example', async () => {
  const catalog = await Catalog.load()
  const d = describeEndpoint(catalog, 'post', '/rest/v1/VirDomain/action')
  assert.equal(d.operationId, 'virDomainAction')
  assert.equal(JSON.stringify(d).includes('$ref'), false)
  assert.equal((d.requestSchema as { type: string }).type, 'array')
  assert.deepEqual(d.required, ['[].virDomainUUID', '[].actionType'])
  assert.deepEqual(d.example, [{ virDomainUUID: '<virDomainUUID>', actionType: 'START' }])
  const op = catalog.byId('virDomainAction')
  assert.ok(op)
  assert.deepEqual(validatePayload(op, d.example).errors, [])
  assert.ok(independentlyValid(d.requestSchema, d.example))
  assert.ok(d.fields.find((f) => f.path === '[].actionType')?.enum?.includes('LIVEMIGRATE'))
})

test('every JSON operation gets an example that validates, generated or hand-written', async () => {
  const catalog = await Catalog.load()
  let checked = 0
  for (const op of catalog.operations) {
    const d = describeEndpoint(catalog, op.method, op.path)
    assert.equal(d.operationId, op.operationId, `${op.method} ${op.path} describes itself`)
    if (op.requestContentType !== 'application/json') {
      assert.equal(d.example, undefined)
      continue
    }
    checked++
    assert.notEqual(d.example, undefined, op.operationId)
    assert.deepEqual(validatePayload(op, d.example).errors, [], `${op.operationId} example ${JSON.stringify(d.example)}`)
    assert.ok(independentlyValid(d.requestSchema, d.example), op.operationId)
  }
  assert.ok(checked > 60)
})

test('an edit with no required fields still shows one field in its example', async () => {
  const catalog = await Catalog.load()
  const d = describeEndpoint(catalog, 'PATCH', '/AlertSyslogTarget/{uuid}')
  assert.ok(Object.keys(d.example as object).length >= 1)
})

test('a concrete path is described by its template', async () => {
  const catalog = await Catalog.load()
  const d = describeEndpoint(catalog, 'GET', '/VirDomain/4a1c0b8e-1111-4222-8333-944455556666')
  assert.equal(d.operationId, 'getVirDomain')
  assert.deepEqual(d.pathParams, ['virDomainUUID'])
  assert.equal(d.requestSchema, undefined)
  assert.equal(d.example, undefined)
  assert.deepEqual(d.fields, [])
  const upload = describeEndpoint(catalog, 'PUT', '/ISO/abc/data')
  assert.equal(upload.requestContentType, 'application/octet-stream')
})

test('an unknown endpoint is ENDPOINT_NOT_FOUND (404) with the nearest operations', async () => {
  const catalog = await Catalog.load()
  assert.throws(() => describeEndpoint(catalog, 'POST', '/VirDomian/action'), (err: unknown) => {
    assert.ok(isAppError(err))
    assert.equal(err.code, 'ENDPOINT_NOT_FOUND')
    assert.equal(err.statusCode, 404)
    const suggestions = (err.details as { suggestions: Array<{ method: string, path: string, summary: string }> }).suggestions
    assert.ok(suggestions.length > 0 && suggestions.length <= 5)
    assert.ok(suggestions.some((s) => s.path === '/VirDomain/action'), JSON.stringify(suggestions))
    assert.equal(typeof suggestions[0]?.summary, 'string')
    return true
  })
  assert.throws(() => describeEndpoint(catalog, 'PUT', '/VirDomain/{virDomainUUID}'), (err: unknown) => {
    assert.ok(isAppError(err))
    const suggestions = (err.details as { suggestions: Array<{ method: string, path: string }> }).suggestions
    assert.ok(suggestions.some((s) => s.method === 'PATCH' && s.path === '/VirDomain/{virDomainUUID}'), 'same path, other method')
    return true
  })
})
