import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, testConfig } from '../helper.js'

const preflight = (origin: string) => ({
  method: 'OPTIONS' as const,
  url: '/query_api',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' }
})

test('a preflight from a configured origin passes without a token', async (t) => {
  const app = await buildTestApp(t, testConfig({ CORS_ORIGINS: 'http://webui.local:8080, https://chat.example' }))
  const res = await app.inject(preflight('https://chat.example'))
  assert.equal(res.statusCode, 204)
  assert.equal(res.headers['access-control-allow-origin'], 'https://chat.example')
  assert.match(String(res.headers['access-control-allow-headers']), /authorization/i)
  assert.match(String(res.headers['access-control-allow-methods']), /POST/)
})

test('an origin that is not configured gets no CORS grant', async (t) => {
  const app = await buildTestApp(t, testConfig({ CORS_ORIGINS: 'https://chat.example' }))
  const res = await app.inject(preflight('https://evil.example'))
  assert.equal(res.headers['access-control-allow-origin'], undefined)
})

test('with no CORS_ORIGINS no origin is granted', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject(preflight('https://chat.example'))
  assert.equal(res.headers['access-control-allow-origin'], undefined)
  assert.notEqual(res.statusCode, 401)
})

test('actual cross-origin calls still need the token', async (t) => {
  const app = await buildTestApp(t, testConfig({ CORS_ORIGINS: 'https://chat.example' }))
  const res = await app.inject({ method: 'POST', url: '/query_api', headers: { origin: 'https://chat.example' }, payload: { query: 'vm' } })
  assert.equal(res.statusCode, 401)
  assert.equal(res.headers['access-control-allow-origin'], 'https://chat.example')
})
