import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { test, type TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { OAuthVerifier } from '../../src/oauth/verifier.js'
import { auth, buildTestApp, scratchFile, testConfig } from '../helper.js'
import { signingKey, startProvider, type TestClient } from './provider-helper.js'

const PUBLIC_URL = 'http://127.0.0.1:5075'
const OPS: TestClient = { id: 'ops-script', secret: 'ops-script-secret-0123456789abcdef', groups: ['scale-ops'], email: 'ops@corp.example' }
const VIEWER: TestClient = { id: 'viewer', secret: 'viewer-secret-0123456789abcdef', groups: ['scale-viewers', 'everyone'], email: 'vera@corp.example' }
const STRANGER: TestClient = { id: 'stranger', secret: 'stranger-secret-0123456789abcdef', groups: ['marketing'], email: 'sam@corp.example' }

function identitiesFile (): string {
  const file = scratchFile('oauth-auth.yaml')
  writeFileSync(file, [
    'callers:',
    '  - { name: ci-bot, role: operator, token: static-token-of-the-ci-bot-0123 }',
    'identities:',
    '  - { group: scale-ops, role: operator }',
    '  - { group: scale-viewers, role: reader, tags: [east] }',
    ''
  ].join('\n'))
  return file
}

async function oauthApp (t: TestContext, issuer: string, env: Record<string, string> = {}, verifier?: (config: ReturnType<typeof testConfig>) => OAuthVerifier): Promise<FastifyInstance> {
  const config = testConfig({ OAUTH_ISSUER: issuer, PUBLIC_URL, AUTH_FILE: identitiesFile(), ...env })
  return await buildTestApp(t, config, verifier === undefined ? {} : { oauth: verifier(config) })
}

const ask = async (app: FastifyInstance, token: string, url = '/query_api'): Promise<{ status: number, json: any, challenge: string }> => {
  const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload: { query: 'list VMs' } })
  return { status: res.statusCode, json: res.json(), challenge: String(res.headers['www-authenticate'] ?? '') }
}

test('RFC 9728 metadata names the identity provider, for the server and for /mcp; without OAuth it is 404 saying what works', async (t) => {
  const provider = await startProvider(t, { clients: [OPS] })
  const app = await oauthApp(t, provider.issuer, { OAUTH_REQUIRED_SCOPES: 'scale' })
  for (const [path, resource] of [['/.well-known/oauth-protected-resource', PUBLIC_URL], ['/.well-known/oauth-protected-resource/mcp', `${PUBLIC_URL}/mcp`]]) {
    const res = await app.inject({ method: 'GET', url: path })
    assert.equal(res.statusCode, 200)
    assert.deepEqual(res.json(), { resource, authorization_servers: [provider.issuer], scopes_supported: ['scale'], bearer_methods_supported: ['header'], resource_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA'], resource_name: 'scale-api-helper', resource_documentation: `${PUBLIC_URL}/docs` })
  }
  const missing = await app.inject({ method: 'POST', url: '/mcp', payload: {} })
  assert.equal(missing.statusCode, 401)
  assert.equal(missing.headers['www-authenticate'], `Bearer realm="scale-api-helper", resource_metadata="${PUBLIC_URL}/.well-known/oauth-protected-resource/mcp"`)
  const plain = await buildTestApp(t, testConfig())
  const none = await plain.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/mcp' })
  assert.equal(none.statusCode, 404)
  assert.match(none.json().message, /does not offer OAuth sign-in/)
})

test('an access token from the provider is a caller: named by its e-mail, role and scope from AUTH_FILE identities; static tokens still work', async (t) => {
  const provider = await startProvider(t, { clients: [OPS, VIEWER, STRANGER] })
  const app = await oauthApp(t, provider.issuer)
  const ops = await ask(app, await provider.token(OPS, { resource: PUBLIC_URL }))
  assert.equal(ops.status, 200, JSON.stringify(ops.json))
  // The reader's role shows in the gate's refusal, with the name the token gives.
  const viewerToken = await provider.token(VIEWER, { resource: `${PUBLIC_URL}/mcp` })
  const refused = await ask(app, viewerToken, '/vm_action')
  assert.equal(refused.status, 403)
  assert.match(refused.json.message, /"vera@corp\.example" \(role reader\)/)
  // The OpenAPI document a host reads with the person's token is shaped by their role.
  const spec = await app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: `Bearer ${viewerToken}` } })
  assert.equal(spec.statusCode, 200)
  assert.ok(spec.json().paths['/list_vms'] !== undefined && spec.json().paths['/vm_action'] === undefined, 'a reader is offered no change tools')
  const stranger = await ask(app, await provider.token(STRANGER, { resource: PUBLIC_URL }))
  assert.equal(stranger.status, 403)
  assert.equal(stranger.json.code, 'FORBIDDEN')
  assert.match(stranger.json.message, /sam@corp\.example is signed in, but no rule/)
  assert.equal((await ask(app, 'static-token-of-the-ci-bot-0123')).status, 200)
  assert.equal((await app.inject({ method: 'POST', url: '/query_api', headers: auth, payload: { query: 'x' } })).statusCode, 200)
})

test('refused tokens: another audience, another issuer, alg none, a forged signature, garbage; each 401 with invalid_token and why', async (t) => {
  const keys = [signingKey()]
  const provider = await startProvider(t, { clients: [OPS], keys })
  // Another provider with the very same keys: its tokens verify, but name another issuer.
  const other = await startProvider(t, { clients: [OPS], keys })
  const app = await oauthApp(t, provider.issuer)
  const good = await provider.token(OPS, { resource: PUBLIC_URL })
  const [header, payload] = good.split('.') as [string, string, string]
  const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`
  const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), groups: ['scale-ops', 'admins'] })).toString('base64url')}.${good.split('.')[2] ?? ''}`
  const cases: Array<[string, string, RegExp]> = [
    ['another audience', await provider.token(OPS, { resource: 'http://127.0.0.1:9/another-service' }), /for another audience/],
    ['another issuer', await other.token(OPS, { resource: PUBLIC_URL }), /issued by another issuer/],
    ['alg none', none, /(algorithm|signed in a way) this server does not accept|not a valid JWT/],
    ['a changed payload', forged, /signature does not verify/],
    ['not a JWT', 'a-token-that-is-neither-static-nor-a-jwt', /neither a bearer token of this server nor a JWT/]
  ]
  for (const [what, token, why] of cases) {
    const res = await ask(app, token)
    assert.equal(res.status, 401, `${what}: ${JSON.stringify(res.json)}`)
    assert.match(res.json.message, why, what)
    assert.match(res.challenge, /^Bearer realm="scale-api-helper", resource_metadata="[^"]+", error="invalid_token"/, what)
  }
  assert.equal((await ask(app, good)).status, 200)
})

test('an expired token is refused (past the clock tolerance); a missing scope is 403 insufficient_scope naming it', async (t) => {
  const provider = await startProvider(t, { clients: [OPS], accessTokenTtlSeconds: 60 })
  let now = Date.now()
  const app = await oauthApp(t, provider.issuer, { OAUTH_REQUIRED_SCOPES: 'scale' }, (config) => new OAuthVerifier(config.oauth as NonNullable<typeof config.oauth>, { log: { debug () {}, info () {}, warn () {}, error () {} }, now: () => now }))
  const token = await provider.token(OPS, { resource: PUBLIC_URL })
  now += 60_000 + 29_000
  assert.equal((await ask(app, token)).status, 200, 'within the 30 s tolerance')
  now += 5 * 60_000
  const late = await ask(app, token)
  assert.equal(late.status, 401)
  assert.match(late.json.message, /expired/)

  const strict = await oauthApp(t, provider.issuer, { OAUTH_REQUIRED_SCOPES: 'scale,scale.write' })
  const lacking = await ask(strict, await provider.token(OPS, { resource: PUBLIC_URL }))
  assert.equal(lacking.status, 403)
  assert.equal(lacking.json.code, 'INSUFFICIENT_SCOPE')
  assert.deepEqual(lacking.json.details.missing, ['scale.write'])
  assert.match(lacking.challenge, /error="insufficient_scope"/)
  assert.match(lacking.challenge, /scope="scale scale\.write"/)
})

test('a key rotated at the provider is picked up; a revoked client gets no new token; a provider that is down fails closed (503)', async (t) => {
  const first = await startProvider(t, { clients: [OPS, VIEWER] })
  const app = await oauthApp(t, first.issuer, {}, (config) => new OAuthVerifier(config.oauth as NonNullable<typeof config.oauth>, { log: { debug () {}, info () {}, warn () {}, error () {} }, jwksCooldownMs: 0 }))
  assert.equal((await ask(app, await first.token(OPS, { resource: PUBLIC_URL }))).status, 200)
  await first.close()
  // The same issuer again with a new key and without the viewer client (revoked).
  const rotated = await startProvider(t, { port: first.port, clients: [OPS] })
  assert.equal((await ask(app, await rotated.token(OPS, { resource: PUBLIC_URL }))).status, 200, 'the new key is read when a token names it')
  const revoked = await rotated.tokenResponse(VIEWER, { resource: PUBLIC_URL })
  assert.equal(revoked.status, 401)
  assert.equal(revoked.json.error, 'invalid_client')
  await rotated.close()

  const down = await oauthApp(t, first.issuer)
  const res = await ask(down, `${Buffer.from('{"alg":"RS256","kid":"x"}').toString('base64url')}.${Buffer.from('{"sub":"a"}').toString('base64url')}.c2ln`)
  assert.equal(res.status, 503)
  assert.equal(res.json.code, 'OAUTH_UNAVAILABLE')
  assert.equal((await ask(down, 'static-token-of-the-ci-bot-0123')).status, 200, 'static tokens need no provider')
})

test('without OAuth, a wrong token on /mcp is 403 INVALID_TOKEN (MCP clients would start a sign-in on 401), elsewhere 401', async (t) => {
  const app = await buildTestApp(t, testConfig())
  const mcp = await app.inject({ method: 'POST', url: '/mcp', headers: { authorization: 'Bearer wrong-token-0123456789' }, payload: {} })
  assert.equal(mcp.statusCode, 403)
  assert.equal(mcp.json().code, 'INVALID_TOKEN')
  const tool = await ask(app, 'wrong-token-0123456789')
  assert.equal(tool.status, 401)
  assert.equal(tool.challenge, 'Bearer realm="scale-api-helper", error="invalid_token"')
  const missing = await app.inject({ method: 'POST', url: '/mcp', payload: {} })
  assert.equal(missing.statusCode, 401)
})
