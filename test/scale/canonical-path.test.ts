import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkMethod, canonicalTarget } from '../../src/scale/canonical-path.js'
import { CANONICALISED_PATHS, HOSTILE_PATHS } from './hostile-paths.js'

test(`refuses ${HOSTILE_PATHS.length} hostile paths with PATH_NOT_ALLOWED`, () => {
  assert.ok(HOSTILE_PATHS.length + CANONICALISED_PATHS.length >= 60)
  for (const [why, path] of HOSTILE_PATHS) {
    assert.throws(() => canonicalTarget(path), (err: { code?: string, statusCode?: number }) => {
      assert.equal(err.code, 'PATH_NOT_ALLOWED', why)
      assert.equal(err.statusCode, 400, why)
      return true
    }, why)
  }
})

test('bounds params: their count, name and value lengths and the whole URL', () => {
  const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`p${i}`, 1]))
  assert.throws(() => canonicalTarget('/VirDomain', many), { code: 'PATH_NOT_ALLOWED' })
  assert.throws(() => canonicalTarget('/VirDomain', { x: 'a'.repeat(20_000) }), { code: 'PATH_NOT_ALLOWED' })
  assert.throws(() => canonicalTarget('/VirDomain', { ['k'.repeat(101)]: 1 }), { code: 'PATH_NOT_ALLOWED' })
  const wide = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`p${i}`, 'v'.repeat(1000)]))
  assert.throws(() => canonicalTarget('/VirDomain', wide), /longer than 4096/)
  assert.equal(canonicalTarget('/VirDomain', { limit: 5 }).search, '?limit=5')
})

test('refuses control characters smuggled through params', () => {
  assert.throws(() => canonicalTarget('/VirDomain', { x: 'a\r\nb' }), { code: 'PATH_NOT_ALLOWED' })
  assert.throws(() => canonicalTarget('/VirDomain', { 'a\nb': 'x' }), { code: 'PATH_NOT_ALLOWED' })
})

test('normalises accepted paths under /rest/v1', () => {
  const cases: Array<[string, string, string]> = [
    ['/VirDomain', '/VirDomain', ''],
    ['VirDomain', '/VirDomain', ''],
    ['/rest/v1/VirDomain', '/VirDomain', ''],
    ['rest/v1/VirDomain/', '/VirDomain', ''],
    [' /VirDomain ', '/VirDomain', ''],
    ['/VirDomain/0d4f8a6e-1b2c-4d3e-9f00-112233445566', '/VirDomain/0d4f8a6e-1b2c-4d3e-9f00-112233445566', ''],
    ['/Condition/filter?includeSet=true', '/Condition/filter', '?includeSet=true'],
    ['/TaskTag/1234:5', '/TaskTag/1234:5', ''],
    ['/Condition/Cluster.Disk..Space', '/Condition/Cluster.Disk..Space', ''],
    ...CANONICALISED_PATHS
  ]
  for (const [input, path, search] of cases) {
    const confined = canonicalTarget(input)
    assert.equal(confined.path, path, input)
    assert.equal(confined.search, search, input)
    assert.equal(confined.upstreamPath, `/rest/v1${path}${search}`, input)
  }
})

test('merges params into the query string, params winning', () => {
  const confined = canonicalTarget('/Condition/filter?includeSet=false&x=1', { includeSet: true, limit: 5, name: 'a b&c' })
  assert.equal(confined.search, '?includeSet=true&x=1&limit=5&name=a+b%26c')
  assert.equal(confined.upstreamPath, '/rest/v1/Condition/filter?includeSet=true&x=1&limit=5&name=a+b%26c')
})

test('is idempotent on its own output', () => {
  const once = canonicalTarget('/rest/v1/VirDomain/%61b?q=x y&r=%26')
  const twice = canonicalTarget(once.path + once.search)
  assert.deepEqual(twice, once)
})

test('accepts the five methods in any case and refuses the rest', () => {
  assert.equal(checkMethod('get'), 'GET')
  for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) assert.equal(checkMethod(m), m)
  for (const m of ['HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'GET ', '']) assert.throws(() => checkMethod(m), { code: 'METHOD_NOT_ALLOWED', statusCode: 400 })
})
