import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, auth } from '../helper.js'

test('a 400 names the bad field and what to send', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/query_api', headers: auth, payload: { query: 'vm', limit: 'lots' } })
  assert.equal(res.statusCode, 400)
  const body = res.json()
  assert.equal(body.code, 'VALIDATION_ERROR')
  assert.match(body.message, /body\.limit/)
  assert.deepEqual(body.details.fields.map((f: { field: string }) => f.field), ['body.limit'])
})

test('a missing required field and an unknown field are both named', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/query_api', headers: auth, payload: { qeury: 'vm' } })
  assert.equal(res.statusCode, 400)
  const fields = res.json().details.fields.map((f: { field: string }) => f.field).sort()
  assert.deepEqual(fields, ['body.qeury', 'body.query'])
  assert.match(res.json().message, /body\.query is required/)
  assert.match(res.json().message, /body\.qeury is not a known field/)
})

test('an enum mismatch lists the allowed values', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/run_api', headers: auth, payload: { query: '/VirDomain', method: 'FETCH' } })
  assert.equal(res.statusCode, 400)
  assert.match(res.json().message, /body\.method/)
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
  assert.equal(get.statusCode, 404)
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
    mutating: false,
    requiresCluster: false,
    async handler () { throw new Error('secret internal detail') }
  }
  const app = await buildTestApp(t, undefined, { tools: [boom] })
  const res = await app.inject({ method: 'POST', url: '/boom', headers: auth, payload: {} })
  assert.equal(res.statusCode, 500)
  assert.equal(res.json().code, 'INTERNAL_ERROR')
  assert.doesNotMatch(res.body, /secret internal detail/)
})
