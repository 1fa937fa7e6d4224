import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Catalog, type CatalogOperation } from '../../src/catalog/catalog.js'
import { validatePayload } from '../../src/catalog/validate.js'

async function op (operationId: string): Promise<CatalogOperation> {
  const found = (await Catalog.load()).byId(operationId)
  assert.ok(found, operationId)
  return found
}

test('a wrong type is an error with the field path and the expected type', async () => {
  const result = validatePayload(await op('createVirDomain'), { dom: { name: 'web', mem: '4GB', numVCPU: 2 }, options: {} })
  assert.deepEqual(result.errors.map((e) => [e.path, e.expected]), [['dom.mem', 'integer']])
  assert.match(result.errors[0]?.message ?? '', /integer/)
})

test('an enum mismatch lists the allowed values, with array indexes in the path', async () => {
  const result = validatePayload(await op('virDomainAction'), [
    { virDomainUUID: 'a', actionType: 'START' },
    { virDomainUUID: 'b', actionType: 'POWER_ON' }
  ])
  assert.equal(result.errors.length, 1)
  assert.equal(result.errors[0]?.path, '[1].actionType')
  assert.equal(result.errors[0]?.expected, 'START, SHUTDOWN, STOP, REBOOT, RESET, PAUSE, LIVEMIGRATE, NMI')
})

test('missing required fields and unknown fields are errors at their own path', async () => {
  const result = validatePayload(await op('createVirDomainBlockDevice'), { virDomainUUID: 'vm', capacity: 1, sizeGB: 10 })
  const paths = result.errors.map((e) => e.path).sort()
  assert.deepEqual(paths, ['sizeGB', 'type'])
})

test('a body of the wrong kind at the root is an error with an empty path', async () => {
  const result = validatePayload(await op('virDomainAction'), { virDomainUUID: 'a', actionType: 'START' })
  assert.deepEqual(result.errors.map((e) => [e.path, e.expected]), [['', 'array']])
})

test('a missing JSON body is an error', async () => {
  const result = validatePayload(await op('createVirDomain'), undefined)
  assert.equal(result.errors.length, 1)
  assert.equal(result.errors[0]?.path, '')
})

test('an error inside a part marked x-uncertain is only a warning', async () => {
  const result = validatePayload(await op('virDomainAction'), [{ virDomainUUID: 'a', actionType: 'START', cause: 'SOMEONE' }])
  assert.deepEqual(result.errors, [])
  assert.equal(result.warnings.length, 1)
  assert.equal(result.warnings[0]?.path, '[0].cause')
  assert.equal(result.warnings[0]?.expected, 'INTERNAL, EXTERNAL')

  const nested = validatePayload(await op('createVirDomain'), { dom: { name: 'x', mem: 1073741824, numVCPU: 1, console: { type: 'RDP', port: 'five' } }, options: {} })
  assert.deepEqual(nested.errors, [])
  assert.deepEqual(nested.warnings.map((w) => w.path).sort(), ['dom.console.port', 'dom.console.type'])
})

test('a read-only field sent in a payload is a warning, not an error', async () => {
  const result = validatePayload(await op('updateVirDomain'), { uuid: 'x', name: 'renamed', snapUUIDs: [] })
  assert.deepEqual(result.errors, [])
  assert.deepEqual(result.warnings.map((w) => w.path).sort(), ['snapUUIDs', 'uuid'])
  assert.match(result.warnings[0]?.message ?? '', /ignored by the cluster/)
})

test('create-only fields on an edit and internal fields are warnings', async () => {
  const edit = validatePayload(await op('patchVirDomain'), { name: 'x', netDevs: [] })
  assert.deepEqual(edit.errors, [])
  assert.deepEqual(edit.warnings.map((w) => w.path), ['netDevs'])
  const create = validatePayload(await op('createVirDomain'), { dom: { name: 'x', mem: 1073741824, numVCPU: 1, netDevs: [], isTransient: true }, options: {} })
  assert.deepEqual(create.errors, [])
  assert.deepEqual(create.warnings.map((w) => w.path), ['dom.isTransient'], 'create-only is fine when creating')
})

test('a valid payload passes clean and is not modified', async () => {
  const payload = { dom: { name: 'web', mem: 4294967296, numVCPU: 2 }, options: {} }
  const before = structuredClone(payload)
  assert.deepEqual(validatePayload(await op('createVirDomain'), payload), { errors: [], warnings: [] })
  assert.deepEqual(payload, before, 'defaults were not filled in')
})

test('a body sent to an endpoint without one is a warning; raw uploads are not checked as JSON', async () => {
  assert.equal(validatePayload(await op('deleteVirDomain'), { force: true }).warnings.length, 1)
  assert.deepEqual(validatePayload(await op('deleteVirDomain'), undefined), { errors: [], warnings: [] })
  assert.deepEqual(validatePayload(await op('uploadISOData'), 'raw bytes'), { errors: [], warnings: [] })
})

test('every example body in the catalogue validates against its own operation', async () => {
  const catalog = await Catalog.load()
  const withExamples = catalog.operations.filter((o) => o.requestExample !== undefined)
  assert.ok(withExamples.length >= 10)
  for (const operation of withExamples) {
    assert.deepEqual(validatePayload(operation, operation.requestExample).errors, [], operation.operationId)
  }
})
