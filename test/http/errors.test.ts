import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, auth } from '../helper.js'

test('a 400 names the bad field and what to send', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/query_api', headers: auth, payload: { query: 'vm', limit: 'lots' } })
  assert.equal(res.statusCode, 400)
  const body = res.json()
  assert.equal(body.code, 'VALIDATION_ERROR')
  assert.equal(body.message, 'Invalid input for query_api: limit must be an integer, got a string.')
  assert.deepEqual(body.details.fields.map((f: { field: string }) => f.field), ['limit'])
})

test('a missing required field and an unknown field are both named', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/query_api', headers: auth, payload: { qeury: 'vm' } })
  assert.equal(res.statusCode, 400)
  const fields = res.json().details.fields.map((f: { field: string }) => f.field).sort()
  assert.deepEqual(fields, ['qeury', 'query'])
  assert.match(res.json().message, /query is required/)
  assert.match(res.json().message, /qeury is not a known field \(the fields are query, limit, method\)/)
})

test('an enum mismatch lists the allowed values', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/run_api', headers: auth, payload: { query: '/VirDomain', method: 'FETCH' } })
  assert.equal(res.statusCode, 400)
  assert.equal(res.json().message, 'Invalid input for run_api: method must be one of GET, POST, PUT, PATCH, DELETE (got "FETCH").')
})

test('null in an optional field means "not given", and enum values are accepted in any case', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/query_api', headers: auth, payload: { query: 'list vms', limit: null, method: 'get' } })
  assert.equal(res.statusCode, 200, res.body)
  for (const result of res.json().results) assert.equal(result.method, 'GET')
  const required = await app.inject({ method: 'POST', url: '/query_api', headers: auth, payload: { query: null } })
  assert.equal(required.json().message, 'Invalid input for query_api: query must be a string, got null.')
})

test('malformed JSON is a 400 INVALID_JSON, not a 500', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/query_api', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"query": ' })
  assert.equal(res.statusCode, 400)
  assert.equal(res.json().code, 'INVALID_JSON')
})

test('a non-JSON content type is a 415 in our shape', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/query_api', headers: { ...auth, 'content-type': 'application/xml' }, payload: '<q/>' })
  assert.equal(res.statusCode, 415)
  assert.equal(res.json().code, 'UNSUPPORTED_MEDIA_TYPE')
})

test('JSON sent as text/plain or with curl\'s default form type is taken; other bodies get a 415 saying to send JSON', async (t) => {
  const app = await buildTestApp(t)
  const body = '{"method":"GET","path":"/VirDomain"}'
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'text/plain; charset=utf-8']) {
    const res = await app.inject({ method: 'POST', url: '/describe_endpoint', headers: { ...auth, 'content-type': type }, payload: body })
    assert.equal(res.statusCode, 200, `${type}: ${res.body}`)
  }
  const words = await app.inject({ method: 'POST', url: '/describe_endpoint', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'GET /VirDomain' })
  assert.equal(words.statusCode, 415)
  assert.match(words.json().message, /Content-Type: application\/json/)
  const none = await app.inject({ method: 'POST', url: '/describe_endpoint', headers: { ...auth, 'content-type': '' }, payload: body })
  assert.equal(none.statusCode, 415)
  assert.match(none.json().message, /Content-Type: application\/json/)
  const empty = await app.inject({ method: 'POST', url: '/get_session', headers: { ...auth, 'content-type': 'application/json' }, payload: '' })
  assert.equal(empty.json().code, 'NO_CLUSTER', 'an empty JSON body is {} (the tool itself answers)')
})

test('a tool without inputs accepts an empty body', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/get_session', headers: auth })
  // No cluster in this app: the tool itself answers, not the validator.
  assert.equal(res.statusCode, 503)
  assert.equal(res.json().code, 'NO_CLUSTER')
})

test('unknown routes are 404 in the same shape', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ['/nope', '/rest/v1/VirDomain', '/query_api/extra']) {
    const res = await app.inject({ method: 'POST', url, headers: auth, payload: {} })
    assert.equal(res.statusCode, 404, url)
    assert.equal(res.json().code, 'NOT_FOUND')
    assert.match(String(res.headers['content-type']), /^application\/json/)
  }
  const get = await app.inject({ method: 'GET', url: '/query_api', headers: auth })
  assert.equal(get.statusCode, 405)
  assert.equal(get.headers.allow, 'POST')
  assert.equal(get.json().code, 'METHOD_NOT_ALLOWED')
  assert.match(get.json().message, /use POST with a JSON body/)
})

test('an unexpected failure is a 500 that hides internals', async (t) => {
  const { Type } = await import('@sinclair/typebox')
  const boom = {
    name: 'boom',
    summary: 'fails',
    description: 'A tool that throws a plain error, to check the error handler hides it.',
    tags: ['Test'],
    input: Type.Object({}),
    output: Type.Object({}),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiresCluster: false,
    async handler () { throw new Error('secret internal detail') }
  }
  const app = await buildTestApp(t, undefined, { tools: [boom] })
  const res = await app.inject({ method: 'POST', url: '/boom', headers: auth, payload: {} })
  assert.equal(res.statusCode, 500)
  assert.equal(res.json().code, 'INTERNAL_ERROR')
  assert.doesNotMatch(res.body, /secret internal detail/)
})
