import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkMethod, confinePath } from '../../src/scale/confine.js'

/** Paths an LLM or an attacker might send; every one must be refused. Shared with the run_api test. */
export const HOSTILE_PATHS: Array<[string, string]> = [
  ['parent segment', '/../etc/passwd'],
  ['parent segment after a resource', '/VirDomain/../../login'],
  ['parent segment with prefix', '/rest/v1/../v2/VirDomain'],
  ['trailing parent segment', '/VirDomain/..'],
  ['current segment', '/./VirDomain'],
  ['encoded parent, lower case', '/%2e%2e/etc/passwd'],
  ['encoded parent, upper case', '/%2E%2E/etc/passwd'],
  ['half encoded parent', '/.%2e/VirDomain'],
  ['double-encoded parent', '/%252e%252e/etc/passwd'],
  ['double-encoded slash', '/VirDomain%252f..'],
  ['encoded slash', '/VirDomain%2f..%2f..%2flogin'],
  ['encoded backslash', '/VirDomain%5c..%5clogin'],
  ['overlong UTF-8 dot', '/%c0%ae%c0%ae/etc'],
  ['malformed escape', '/VirDomain/%zz'],
  ['absolute https URL', 'https://evil.example/rest/v1/VirDomain'],
  ['absolute http URL', 'http://169.254.169.254/latest/meta-data'],
  ['scheme without slashes', 'javascript:alert(1)'],
  ['file URL', 'file:///etc/passwd'],
  ['network-path reference', '//evil.example/VirDomain'],
  ['empty segment', '/VirDomain//action'],
  ['backslash', '/VirDomain\\..\\login'],
  ['leading backslashes', '\\\\evil.example\\share'],
  ['CR LF header injection', '/VirDomain\r\nX-Injected: 1'],
  ['bare LF', '/VirDomain\nHost: evil'],
  ['NUL byte', '/VirDomain\u0000.json'],
  ['tab', '/Vir\tDomain'],
  ['DEL character', '/VirDomain\u007f'],
  ['C1 control', '/VirDomain\u0085'],
  ['Unicode line separator', '/VirDomain\u2028x'],
  ['encoded CR LF in a segment', '/VirDomain%0d%0aX-Injected:%201'],
  ['encoded NUL in a segment', '/VirDomain%00'],
  ['encoded CR LF in the query string', '/VirDomain?x=%0d%0aX-Injected:1'],
  ['authority trick with @', '@evil.example/VirDomain'],
  ['user info in path', '/rest/v1@evil.example/VirDomain'],
  ['encoded @', '/VirDomain%40evil.example'],
  ['fragment', '/VirDomain#fragment'],
  ['semicolon path parameter', '/VirDomain/..;/login'],
  ['space', '/Vir Domain'],
  ['non-ASCII look-alike slash', '/VirDomain\uff0f..\uff0flogin'],
  ['fullwidth dots', '/\uff0e\uff0e/login'],
  ['empty', ''],
  ['only spaces', '   '],
  ['only the prefix', '/rest/v1'],
  ['only a slash', '/'],
  ['query without name', '/VirDomain?=1'],
  ['too long', `/VirDomain/${'a'.repeat(2100)}`]
]

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
