import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { TestContext } from 'node:test'
import Provider from 'oidc-provider'
import { freePort } from '../redis-helper.js'

/** A signing key of the provider, as a private JWK with a key id. */
export function signingKey (): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' }
}

/** A client of the test provider and the groups its tokens carry. */
export interface TestClient {
  id: string
  secret?: string
  groups?: string[]
  email?: string
  /** For the authorization code flow (MCP clients, people). */
  redirectUris?: string[]
}

/** What a test provider is started with. */
export interface ProviderOptions {
  port?: number
  keys?: Array<Record<string, unknown>>
  clients: TestClient[]
  /** The scope the resource server grants. */
  scope?: string
  accessTokenTtlSeconds?: number
  /** People who can sign in through the provider's own login form (authorization code flow). */
  accounts?: Record<string, { email: string, groups: string[] }>
}

/** A running OpenID provider (oidc-provider, OpenID certified) on loopback. */
export interface TestProvider {
  issuer: string
  port: number
  /** A client-credentials access token for `resource` (RFC 8707), as the provider issues it. */
  token: (client: TestClient, opts?: { resource?: string, scope?: string }) => Promise<string>
  /** The raw token endpoint answer (for refusals). */
  tokenResponse: (client: TestClient, opts?: { resource?: string, scope?: string }) => Promise<{ status: number, json: Record<string, unknown> }>
  close: () => Promise<void>
}

/**
 * Starts oidc-provider on a loopback port with JWT access tokens for any resource (RFC 8707 resource indicators),
 * the client credentials grant for scripts, and its development login form for the authorization code flow.
 * Closed when the test ends.
 */
export async function startProvider (t: TestContext, opts: ProviderOptions): Promise<TestProvider> {
  const port = opts.port ?? await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const byId = new Map(opts.clients.map((c) => [c.id, c]))
  const scope = opts.scope ?? 'scale'
  const provider = new Provider(issuer, {
    clients: opts.clients.map((c) => c.redirectUris === undefined
      ? { client_id: c.id, client_secret: c.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] }
      : { client_id: c.id, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], redirect_uris: c.redirectUris, response_types: ['code'], application_type: 'native' }),
    jwks: { keys: opts.keys ?? [signingKey()] },
    scopes: ['openid', 'email', 'profile', 'offline_access', scope],
    claims: { email: ['email'], openid: ['sub'] },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string[]) => oneOf?.[0] ?? undefined,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => ({ scope, audience: resource, accessTokenTTL: opts.accessTokenTtlSeconds ?? 300, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } })
      }
    },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = opts.accounts?.[sub]
      return account === undefined ? undefined : { accountId: sub, claims: async () => ({ sub, email: account.email }) }
    },
    // Groups and e-mail travel in the access token, where a resource server reads them.
    extraTokenClaims: async (_ctx: unknown, token: { clientId?: string, accountId?: string }) => {
      const account = token.accountId === undefined ? undefined : opts.accounts?.[token.accountId]
      if (account !== undefined) return { email: account.email, groups: account.groups }
      const client = token.clientId === undefined ? undefined : byId.get(token.clientId)
      return client === undefined ? {} : { ...(client.groups === undefined ? {} : { groups: client.groups }), ...(client.email === undefined ? {} : { email: client.email }) }
    },
    pkce: { required: () => true }
  } as any)
  provider.proxy = false
  const server: Server = createServer(provider.callback())
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  const close = async (): Promise<void> => {
    if (!server.listening) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
  }
  t.after(close)
  const tokenResponse = async (client: TestClient, o: { resource?: string, scope?: string } = {}): Promise<{ status: number, json: Record<string, unknown> }> => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: o.scope ?? scope, ...(o.resource === undefined ? {} : { resource: o.resource }) })
    const res = await fetch(`${issuer}/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${client.id}:${client.secret ?? ''}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body })
    return { status: res.status, json: await res.json() as Record<string, unknown> }
  }
  const token = async (client: TestClient, o: { resource?: string, scope?: string } = {}): Promise<string> => {
    const { status, json } = await tokenResponse(client, o)
    if (status !== 200 || typeof json.access_token !== 'string') throw new Error(`the provider issued no token: ${status} ${JSON.stringify(json)}`)
    return json.access_token
  }
  return { issuer, port, token, tokenResponse, close }
}

/** Where a browsing ended, and the cookies it holds (by name; hosts share them, as a browser does across ports). */
export interface Browsed {
  url: URL
  cookies: Map<string, string>
  /** The Cookie header for what it holds. */
  cookieHeader: () => string
}

/**
 * What a person does in a browser: follows redirects (keeping cookies), signs in as `login` on the provider's login
 * form and consents on its consent form, until a redirect goes where `until` says; that URL is not fetched.
 */
export async function browse (start: string, login: string, until: (url: URL) => boolean, cookies = new Map<string, string>()): Promise<Browsed> {
  const cookieHeader = (): string => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  let next: { url: string, init: RequestInit } = { url: start, init: {} }
  for (let step = 0; step < 25; step++) {
    const res = await fetch(next.url, { ...next.init, redirect: 'manual', headers: { ...(next.init.headers as Record<string, string> | undefined), cookie: cookieHeader() } })
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const at = pair?.indexOf('=') ?? -1
      if (pair === undefined || at <= 0) continue
      const value = pair.slice(at + 1)
      if (value === '' || /max-age=0/i.test(line)) cookies.delete(pair.slice(0, at))
      else cookies.set(pair.slice(0, at), value)
    }
    const location = res.headers.get('location')
    if (location !== null) {
      const target = new URL(location, next.url)
      if (until(target)) return { url: target, cookies, cookieHeader }
      next = { url: target.href, init: {} }
      continue
    }
    const page = await res.text()
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1]
    const prompt = /name="prompt" value="([^"]+)"/.exec(page)?.[1]
    if (action === undefined || prompt === undefined) throw new Error(`no form on the page (${res.status} ${next.url}): ${page.slice(0, 300)}`)
    const form = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt })
    next = { url: new URL(action, next.url).href, init: { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } } }
  }
  throw new Error('the browsing did not end')
}
