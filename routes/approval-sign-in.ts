import { createHash, randomBytes } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import { Type } from '@sinclair/typebox'
import { decodeJwt } from 'jose'
import { AppError, isAppError } from '../src/errors/app-error.js'
import { APPROVER_COOKIE, APPROVER_SESSION_MS, cookieValue, SIGN_IN_COOKIE, SIGN_IN_MS, type SignedCookies } from '../src/oauth/approver-session.js'
import type { OAuthVerifier } from '../src/oauth/verifier.js'

/** Options of the approval page's sign-in. */
export interface ApprovalSignInOptions {
  oauth: OAuthVerifier
  cookies: SignedCookies
}

const SignInQuery = Type.Object({ next: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) })
const CallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 4096 })),
  state: Type.Optional(Type.String({ maxLength: 256 })),
  error: Type.Optional(Type.String({ maxLength: 256 })),
  error_description: Type.Optional(Type.String({ maxLength: 1024 })),
  iss: Type.Optional(Type.String({ maxLength: 1024 }))
}, { additionalProperties: true })

// The token endpoint's answer must come soon and be small.
const EXCHANGE_TIMEOUT_MS = 10_000
const MAX_TOKEN_ANSWER = 64 * 1024

/**
 * The approval page's sign-in with the identity provider (OAuth 2.1 authorization code with PKCE, RFC 8707 resource
 * = PUBLIC_URL): `GET /approvals/sign-in?next=<id>` sends the approver to the provider; `GET /approvals/callback`
 * takes the code back, exchanges it, checks the access token as every other one is checked, and leaves a signed,
 * HttpOnly, SameSite=Strict cookie scoped to `/approvals` (15 minutes at most, never past the token). The cookie
 * names the person, never holds the token. State and the PKCE verifier travel in a second signed cookie.
 */
export const approvalSignIn: FastifyPluginAsync<ApprovalSignInOptions> = async function approvalSignIn (app, opts) {
  const settings = opts.oauth.settings
  const client = settings.approvalClient
  if (client === undefined) return
  const redirectUri = `${settings.publicUrl}/approvals/callback`
  const secure = settings.publicUrl.startsWith('https:') ? '; Secure' : ''
  const cookie = (name: string, value: string, ms: number, sameSite: 'Strict' | 'Lax'): string => `${name}=${value}; Path=/approvals; HttpOnly; SameSite=${sameSite}${secure}; Max-Age=${Math.max(0, Math.floor(ms / 1000))}`

  app.get('/approvals/sign-in', { schema: { hide: true, querystring: SignInQuery } }, async function signIn (request, reply) {
    const { next } = request.query as { next: string }
    const metadata = await opts.oauth.metadata()
    if (metadata.authorizationEndpoint === undefined) throw new AppError('OAUTH_UNAVAILABLE', 'The identity provider\'s metadata names no authorization endpoint, so the approval page cannot sign anyone in.')
    const state = randomBytes(24).toString('base64url')
    const verifier = randomBytes(32).toString('base64url')
    const target = new URL(metadata.authorizationEndpoint)
    const params = {
      response_type: 'code',
      client_id: client.id,
      redirect_uri: redirectUri,
      scope: ['openid', 'email', 'profile', ...settings.requiredScopes].join(' '),
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      resource: settings.publicUrl
    }
    for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value)
    // Lax, not Strict: the provider's redirect back here is a navigation from another site.
    return await reply.header('set-cookie', cookie(SIGN_IN_COOKIE, opts.cookies.pendingValue({ state, verifier, next }), SIGN_IN_MS, 'Lax')).header('cache-control', 'no-store').redirect(target.href, 302)
  })

  app.get('/approvals/callback', { schema: { hide: true, querystring: CallbackQuery } }, async function callback (request, reply) {
    const query = request.query as { code?: string, state?: string, error?: string }
    const pending = opts.cookies.pending(cookieValue(request.headers.cookie, SIGN_IN_COOKIE))
    if (pending === undefined) throw new AppError('SIGN_IN_FAILED', 'This sign-in took too long or began in another browser; open the approval link again.')
    if (query.state !== pending.state) throw new AppError('SIGN_IN_FAILED', 'This sign-in does not match the one this browser began (state); open the approval link again.')
    if (query.error !== undefined || query.code === undefined) throw new AppError('SIGN_IN_FAILED', `The identity provider did not sign you in (${(query.error ?? 'no code').replace(/[^\w.-]/g, '').slice(0, 64)}).`)
    const metadata = await opts.oauth.metadata()
    if (metadata.tokenEndpoint === undefined) throw new AppError('OAUTH_UNAVAILABLE', 'The identity provider\'s metadata names no token endpoint.')
    const accessToken = await exchange(metadata.tokenEndpoint, { code: query.code, verifier: pending.verifier, redirectUri, client, resource: settings.publicUrl })
    const caller = await opts.oauth.verify(accessToken)
    const exp = decodeJwt(accessToken).exp
    const ms = Math.min(APPROVER_SESSION_MS, typeof exp === 'number' ? exp * 1000 - Date.now() : APPROVER_SESSION_MS)
    request.log.info({ approver: caller.name, role: caller.role }, 'an approver signed in on the approval page')
    return await reply
      .header('set-cookie', [cookie(APPROVER_COOKIE, opts.cookies.approverValue(caller, ms), ms, 'Strict'), cookie(SIGN_IN_COOKIE, '', 0, 'Lax')])
      .header('cache-control', 'no-store')
      .redirect(`/approvals/${pending.next}`, 302)
  })
}

// The code for an access token at the provider's token endpoint (with the PKCE verifier; a secret when configured).
async function exchange (endpoint: string, o: { code: string, verifier: string, redirectUri: string, client: { id: string, secret?: string }, resource: string }): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: o.code, redirect_uri: o.redirectUri, code_verifier: o.verifier, resource: o.resource, ...(o.client.secret === undefined ? { client_id: o.client.id } : {}) })
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
  if (o.client.secret !== undefined) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(o.client.id)}:${encodeURIComponent(o.client.secret)}`).toString('base64')}`
  let answer: Record<string, unknown>
  try {
    const res = await fetch(endpoint, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS), redirect: 'error' })
    const text = await res.text()
    if (text.length > MAX_TOKEN_ANSWER) throw new Error('the answer is too large')
    answer = JSON.parse(text) as Record<string, unknown>
    if (!res.ok) throw new AppError('SIGN_IN_FAILED', `The identity provider refused the sign-in (${String(answer.error ?? res.status).replace(/[^\w.-]/g, '').slice(0, 64)}); open the approval link again.`)
  } catch (err) {
    if (isAppError(err)) throw err
    throw new AppError('OAUTH_UNAVAILABLE', 'The identity provider\'s token endpoint could not be reached; try again shortly.', { cause: err })
  }
  if (typeof answer.access_token !== 'string') throw new AppError('SIGN_IN_FAILED', 'The identity provider gave no access token; open the approval link again.')
  return answer.access_token
}
