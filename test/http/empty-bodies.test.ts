import assert from 'node:assert/strict'
import { test } from 'node:test'
import { HyperCoreClient } from '../../src/scale/client.js'
import { mcpSetup, TOKEN } from '../mcp/mcp-helper.js'

const bearer = { authorization: `Bearer ${TOKEN.operator}` }

test('a tool call with no body, or an empty one of any content type, is a call with {} (Open WebUI sends no-argument calls so)', async (t) => {
  const s = await mcpSetup(t)
  const bodies: Array<[string, { headers?: Record<string, string>, payload?: string }]> = [
    ['no body and no Content-Type', {}],
    ['Content-Type application/json and an empty body', { headers: { 'content-type': 'application/json' }, payload: '' }],
    ['Content-Type application/json, Content-Length 0', { headers: { 'content-type': 'application/json', 'content-length': '0' } }],
    ['Content-Type application/json and only white space', { headers: { 'content-type': 'application/json' }, payload: ' \r\n' }],
    ['Content-Type text/plain and an empty body', { headers: { 'content-type': 'text/plain' }, payload: '' }],
    ['JSON null', { headers: { 'content-type': 'application/json' }, payload: 'null' }]
  ]
  for (const tool of ['list_vms', 'cluster_health']) {
    for (const [label, body] of bodies) {
      const res = await s.app.inject({ method: 'POST', url: `/${tool}`, ...body, headers: { ...bearer, ...body.headers } })
      assert.equal(res.statusCode, 200, `${tool}, ${label}: ${res.body.slice(0, 300)}`)
    }
  }
})

test('run_api params: {} and "" mean none; an object of names and values is the query string', async (t) => {
  const s = await mcpSetup(t)
  // The client the gate hands run_api, watched: what reaches it is what goes on the wire.
  const sent = t.mock.method(HyperCoreClient.prototype, 'call')
  const wire: string[] = []
  for (const params of [{}, '', { limit: 2, includeSet: true, name: 'a b' }, 'limit=2&includeSet=true']) {
    const res = await s.app.inject({ method: 'POST', url: '/run_api', headers: bearer, payload: { query: '/VirDomain', params, fields: ['uuid'] } })
    assert.equal(res.statusCode, 200, `params ${JSON.stringify(params)}: ${res.body.slice(0, 300)}`)
    const target = sent.mock.calls.at(-1)?.arguments[1]
    wire.push(`${JSON.stringify(params)} -> ${typeof target === 'string' ? target : target?.upstreamPath ?? '?'}`)
  }
  assert.deepEqual(wire, [
    '{} -> /rest/v1/VirDomain',
    '"" -> /rest/v1/VirDomain',
    '{"limit":2,"includeSet":true,"name":"a b"} -> /rest/v1/VirDomain?limit=2&includeSet=true&name=a+b',
    '"limit=2&includeSet=true" -> /rest/v1/VirDomain?limit=2&includeSet=true'
  ])
  const refused = await s.app.inject({ method: 'POST', url: '/run_api', headers: bearer, payload: { query: '/VirDomain', params: { nested: { a: 1 } } } })
  assert.equal(refused.statusCode, 400, refused.body)
  assert.equal(refused.json().code, 'VALIDATION_ERROR')
})
