import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkMethod, confinePath } from '../../src/scale/confine.js'
import { HOSTILE_PATHS } from './hostile-paths.js'

test(`refuses ${HOSTILE_PATHS.length} hostile paths with PATH_NOT_ALLOWED`, () => {
  assert.ok(HOSTILE_PATHS.length >= 30)
  for (const [why, path] of HOSTILE_PATHS) {
    assert.throws(() => confinePath(path), (err: { code?: string, statusCode?: number }) => {
      assert.equal(err.code, 'PATH_NOT_ALLOWED', why)
      assert.equal(err.statusCode, 400, why)
      return true
    }, why)
  }
})

test('refuses control characters smuggled through params', () => {
  assert.throws(() => confinePath('/VirDomain', { x: 'a\r\nb' }), { code: 'PATH_NOT_ALLOWED' })
  assert.throws(() => confinePath('/VirDomain', { 'a\nb': 'x' }), { code: 'PATH_NOT_ALLOWED' })
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
    ['/VirDomain/a%20b', '/VirDomain/a%20b', ''],
    ['/Condition/Cluster.Disk..Space', '/Condition/Cluster.Disk..Space', '']
  ]
  for (const [input, path, search] of cases) {
    const confined = confinePath(input)
    assert.equal(confined.path, path, input)
    assert.equal(confined.search, search, input)
    assert.equal(confined.upstreamPath, `/rest/v1${path}${search}`, input)
  }
})

test('merges params into the query string, params winning', () => {
  const confined = confinePath('/Condition/filter?includeSet=false&x=1', { includeSet: true, limit: 5, name: 'a b&c' })
  assert.equal(confined.search, '?includeSet=true&x=1&limit=5&name=a+b%26c')
  assert.equal(confined.upstreamPath, '/rest/v1/Condition/filter?includeSet=true&x=1&limit=5&name=a+b%26c')
})

test('is idempotent on its own output', () => {
  const once = confinePath('/rest/v1/VirDomain/a%20b?q=x y&r=%26')
  const twice = confinePath(once.path + once.search)
  assert.deepEqual(twice, once)
})

test('accepts the five methods in any case and refuses the rest', () => {
  assert.equal(checkMethod('get'), 'GET')
  for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) assert.equal(checkMethod(m), m)
  for (const m of ['HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'GET ', '']) assert.throws(() => checkMethod(m), { code: 'METHOD_NOT_ALLOWED', statusCode: 400 })
})
