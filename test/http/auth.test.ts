import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, TOKENS, auth } from '../helper.js'

const call = { method: 'POST' as const, url: '/query_api', payload: { query: 'list VMs' } }

test('answers 401 with WWW-Authenticate and our error shape when no token is sent', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject(call)
  assert.equal(res.statusCode, 401)
  assert.equal(res.headers['www-authenticate'], 'Bearer realm="scale-api-helper"')
  assert.match(String(res.headers['content-type']), /^application\/json/)
  assert.equal(res.json().code, 'UNAUTHORIZED')
  assert.equal(typeof res.json().message, 'string')
})

test('answers 401 for a wrong token', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ ...call, headers: { authorization: 'Bearer not-the-right-token-at-all' } })
  assert.equal(res.statusCode, 401)
  assert.equal(res.headers['www-authenticate'], 'Bearer realm="scale-api-helper", error="invalid_token"')
  assert.equal(res.json().code, 'UNAUTHORIZED')
})

test('answers 401 for an empty "Bearer " header and for another scheme', async (t) => {
  const app = await buildTestApp(t)
  for (const authorization of ['Bearer ', 'Bearer', `Basic ${TOKENS[0]}`, TOKENS[0]]) {
    const res = await app.inject({ ...call, headers: { authorization } })
    assert.equal(res.statusCode, 401, authorization)
    assert.equal(res.json().code, 'UNAUTHORIZED')
  }
})

test('accepts each of two configured tokens', async (t) => {
  const app = await buildTestApp(t)
  for (const token of TOKENS) {
    const res = await app.inject({ ...call, headers: { authorization: `Bearer ${token}` } })
    assert.equal(res.statusCode, 200, res.body)
  }
})

test('every tool route is guarded, including ones without inputs', async (t) => {
  const app = await buildTestApp(t)
  for (const name of ['query_api', 'describe_endpoint', 'run_api', 'generate_session', 'get_session', 'kill_session']) {
    const res = await app.inject({ method: 'POST', url: `/${name}`, payload: {} })
    assert.equal(res.statusCode, 401, name)
  }
})

test('/health, /docs and /openapi.json are public', async (t) => {
  const app = await buildTestApp(t, undefined, {}, { swaggerUi: true })
  const health = await app.inject({ method: 'GET', url: '/health' })
  assert.equal(health.statusCode, 200)
  assert.deepEqual(Object.keys(health.json()).sort(), ['cluster', 'mode', 'safety', 'status', 'version'])
  assert.equal(health.json().safety, 'confirm')
  assert.equal(health.json().status, 'ok')

  const docs = await app.inject({ method: 'GET', url: '/docs/' })
  assert.equal(docs.statusCode, 200)
  assert.match(docs.body, /swagger-ui/i)

  const spec = await app.inject({ method: 'GET', url: '/openapi.json' })
  assert.equal(spec.statusCode, 200)
  assert.equal(spec.json().openapi, '3.0.3')
})

test('the scheme is case-insensitive (RFC 7235): "bearer" works like "Bearer"', async (t) => {
  const app = await buildTestApp(t)
  for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
    const res = await app.inject({ method: 'POST', url: '/describe_endpoint', headers: { authorization: `${scheme} ${TOKENS[0]}` }, payload: { method: 'GET', path: '/VirDomain' } })
    assert.equal(res.statusCode, 200, scheme)
  }
})

test('a request with a valid token still reaches the handler with our headers untouched', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ ...call, headers: { ...auth, 'content-type': 'application/json' } })
  assert.equal(res.statusCode, 200)
  assert.ok(Array.isArray(res.json().results))
})
