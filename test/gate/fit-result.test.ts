import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fitResult } from '../../src/tools/support/fit-result.js'

function records (n: number, text = 'x'.repeat(200)): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({ uuid: `vm-${i}`, name: `vm ${i} "quoted" ✓`, state: 'RUNNING', description: text, tags: 'a,b' }))
}

test('leaves a small answer alone', () => {
  const data = records(3)
  assert.deepEqual(fitResult(data, { maxBytes: 65536 }), { data, notes: [] })
})

test('truncates a large array as JSON: whole items, valid JSON, under the cap', () => {
  const data = records(1000)
  const fitted = fitResult(data, { maxBytes: 65536 })
  const text = JSON.stringify(fitted.data)
  assert.ok(Buffer.byteLength(text) <= 65536)
  const parsed = JSON.parse(text) as unknown[]
  assert.ok(parsed.length > 100 && parsed.length < 1000)
  assert.deepEqual(parsed, data.slice(0, parsed.length), 'items are whole and in order')
  assert.deepEqual(fitted.truncated, { returned: parsed.length, total: 1000 })
  assert.match(fitted.notes.join(' '), /capped at 64 KiB/)
})

test('counts bytes, not characters, so multi-byte text stays under the cap', () => {
  const data = records(500, 'é✓😀'.repeat(60))
  const fitted = fitResult(data, { maxBytes: 8192 })
  assert.ok(Buffer.byteLength(JSON.stringify(fitted.data)) <= 8192)
})

test('maxItems keeps the first items and reports the total', () => {
  const fitted = fitResult(records(50), { maxItems: 5, maxBytes: 65536 })
  assert.equal((fitted.data as unknown[]).length, 5)
  assert.deepEqual(fitted.truncated, { returned: 5, total: 50 })
  assert.match(fitted.notes.join(' '), /maxItems/)
})

test('fields keeps only the named fields and says which were never seen', () => {
  const fitted = fitResult(records(2), { fields: ['uuid', 'state', 'nope'], maxBytes: 65536 })
  assert.deepEqual(fitted.data, [{ uuid: 'vm-0', state: 'RUNNING' }, { uuid: 'vm-1', state: 'RUNNING' }])
  assert.match(fitted.notes.join(' '), /"nope"/)
  assert.deepEqual(fitResult({ uuid: 'u', name: 'n' }, { fields: ['name'], maxBytes: 100 }).data, { name: 'n' })
})

test('fields let more items fit under the cap', () => {
  const all = fitResult(records(2000), { maxBytes: 65536 })
  const slim = fitResult(records(2000), { fields: ['uuid'], maxBytes: 65536 })
  assert.ok((slim.data as unknown[]).length > (all.data as unknown[]).length)
})

test('an item larger than the cap leaves an empty list and says why', () => {
  const fitted = fitResult(records(3, 'y'.repeat(5000)), { maxBytes: 1024 })
  assert.deepEqual(fitted.data, [])
  assert.deepEqual(fitted.truncated, { returned: 0, total: 3 })
  assert.match(fitted.notes.join(' '), /first item alone/)
})

test('a single large record keeps valid JSON by shortening its list, then dropping whole fields', () => {
  const record = { uuid: 'u', list: records(500), blob: 'z'.repeat(3000) }
  const fitted = fitResult(record, { maxBytes: 16384 })
  const text = JSON.stringify(fitted.data)
  assert.ok(Buffer.byteLength(text) <= 16384)
  const out = JSON.parse(text) as typeof record
  assert.equal(out.uuid, 'u')
  assert.ok(out.list.length < 500)
  assert.match(fitted.notes.join(' '), /"list"/)

  const huge = fitResult({ uuid: 'u', a: 'a'.repeat(10000), b: 'b'.repeat(100) }, { maxBytes: 1024 })
  assert.deepEqual(huge.data, { uuid: 'u', b: 'b'.repeat(100) })
  assert.match(huge.notes.join(' '), /"a"/)
})

test('a text answer is cut by characters and says so', () => {
  const fitted = fitResult('<html>' + 'x'.repeat(100000), { maxBytes: 65536 })
  assert.equal((fitted.data as string).length, 65536)
  assert.deepEqual(fitted.truncated, { returned: 65536, total: 100006 })
  assert.match(fitted.notes.join(' '), /text, not JSON/)
})

test('skips measuring when the received size is already under the cap', () => {
  const data = records(1000)
  assert.deepEqual(fitResult(data, { maxBytes: 65536, receivedBytes: 1000 }), { data, notes: [] })
  assert.ok(fitResult(data, { maxBytes: 65536, receivedBytes: 300_000 }).truncated !== undefined)
  assert.equal((fitResult(data, { maxBytes: 65536, receivedBytes: 1000, maxItems: 2 }).data as unknown[]).length, 2)
})
