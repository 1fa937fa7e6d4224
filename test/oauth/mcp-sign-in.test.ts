import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import { auditLines, buildTestApp, scratchFile, testConfig } from '../helper.js'
import { freePort } from '../redis-helper.js'
import { startTestSimulator } from '../simulator-helper.js'
import { HyperCoreClient } from '../../src/scale/client.js'
import { clusterConfigFor } from '../../src/simulator/index.js'
import { browse, startProvider } from './provider-helper.js'

const REDIRECT = 'http://127.0.0.1:1/callback'

test('an MCP SDK client signs in through the provider (authorization code + PKCE, RFC 8707) and calls tools as that person', { timeout: 60_000 }, async (t) => {
  const provider = await startProvider(t, {
    clients: [{ id: 'mcp-desktop', redirectUris: [REDIRECT] }],
    accounts: { alice: { email: 'alice@corp.example', groups: ['scale-ops'] } }
  })
  const port = await freePort()
  const publicUrl = `http://127.0.0.1:${port}`
  const authFile = scratchFile('sign-in-auth.yaml')
  writeFileSync(authFile, 'identities:\n  - { group: scale-ops, role: operator }\n')
  const audit = scratchFile('sign-in-audit.jsonl')
  const sim = await startTestSimulator(t)
  const cluster = new HyperCoreClient(clusterConfigFor(sim, { timeoutMs: 10_000 }))
  t.after(() => cluster.close())
  const app = await buildTestApp(t, testConfig({ OAUTH_ISSUER: provider.issuer, PUBLIC_URL: publicUrl, AUTH_FILE: authFile, OAUTH_REQUIRED_SCOPES: 'scale', SCALE_AUDIT_FILE: audit }), { cluster, clusterInfo: { mode: 'simulator', cluster: cluster.host } })
  await app.listen({ port, host: '127.0.0.1' })

  let tokens: OAuthTokens | undefined
  let verifier = ''
  let code: string | undefined
  const authProvider: OAuthClientProvider = {
    get redirectUrl () { return REDIRECT },
    get clientMetadata () { return { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], client_name: 'test desktop' } },
    clientInformation: (): OAuthClientInformationMixed => ({ client_id: 'mcp-desktop' }),
    tokens: () => tokens,
    saveTokens: (next) => { tokens = next },
    redirectToAuthorization: async (url) => {
      const back = await browse(url.href, 'alice', (u) => u.href.startsWith(REDIRECT))
      code = back.url.searchParams.get('code') ?? undefined
    },
    saveCodeVerifier: (v) => { verifier = v },
    codeVerifier: () => verifier
  }
  const url = new URL(`${publicUrl}/mcp`)
  const first = new StreamableHTTPClientTransport(url, { authProvider })
  const client = new Client({ name: 'test desktop', version: '1' })
  await assert.rejects(client.connect(first), UnauthorizedError, 'the first connection sends the person to sign in')
  assert.ok(code !== undefined, 'the sign-in came back with a code')
  await first.finishAuth(code)
  assert.ok(tokens?.access_token !== undefined)
  const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString()) as { aud: string | string[], iss: string }
  assert.equal(claims.iss, provider.issuer)
  assert.deepEqual([claims.aud].flat(), [`${publicUrl}/mcp`], 'the token is for our MCP endpoint (RFC 8707)')

  const signedIn = new Client({ name: 'test desktop', version: '1' })
  await signedIn.connect(new StreamableHTTPClientTransport(url, { authProvider }))
  t.after(() => signedIn.close())
  const listed = await signedIn.callTool({ name: 'list_vms', arguments: {} })
  assert.notEqual(listed.isError, true, JSON.stringify(listed))
  const vm = (listed.structuredContent as { vms: Array<{ name: string, state: string }> }).vms.find((v) => v.state === 'RUNNING')
  const stop = await signedIn.callTool({ name: 'vm_action', arguments: { vm: vm?.name, action: 'STOP' } })
  // The preview says who asks, and the audit names the person.
  assert.match(JSON.stringify(stop), /CONFIRMATION_REQUIRED/)
  assert.match(JSON.stringify(stop), /requested by alice@corp\.example/)
  assert.ok(auditLines(audit).some((l) => l.caller === 'alice@corp.example' && l.role === 'operator'), 'the audit names the signed-in person')
})
