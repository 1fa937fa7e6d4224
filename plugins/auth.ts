import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError, isAppError } from '../src/errors/app-error.js'
import type { Caller, CallerDirectory } from '../src/gate/identity.js'
import { APPROVER_COOKIE, cookieValue, type SignedCookies } from '../src/oauth/approver-session.js'
import { challengeHeader } from '../src/oauth/metadata.js'
import { InsufficientScope, InvalidToken, MAX_TOKEN_LENGTH, type OAuthVerifier } from '../src/oauth/verifier.js'

/** Options of the auth plugin. */
export interface AuthOptions {
  /** Who may call, by token. */
  callers: CallerDirectory
  /** Sign-in with the organisation's identity provider (OAUTH_ISSUER), beside the tokens. */
  oauth?: OAuthVerifier
  /** Approvers signed in on the approval page: their cookie stands for a token on `/approvals/` routes. */
  approvers?: SignedCookies
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set by the auth plugin on every protected route. */
    caller: Caller | null
  }
}

/** 401 UNAUTHORIZED for a request that carries no bearer token. */
export function missingToken (): AppError {
  return new AppError('UNAUTHORIZED', 'Missing bearer token: send the header "Authorization: Bearer <token>".')
}

/** The caller the auth hook attached to a request of the protected scope; 401 when there is none. */
export function callerOf (request: FastifyRequest): Caller {
  if (request.caller === null) throw missingToken()
  return request.caller
}

// `Bearer <token>`, the scheme in any case (RFC 7235); tokens of AUTH_FILE may hold any visible character.
const BEARER = /^bearer +(\S+) *$/i

function isMcp (request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? ''
  return path === '/mcp' || path.startsWith('/mcp/')
}

/**
 * Guards every route of the scope it is registered in and attaches the caller. A bearer token is first looked up
 * among the configured callers (SHA-256 digests compared in constant time with every one); with OAuth sign-in on, a
 * token that is none of them is checked as an access token of the identity provider. Every 401 carries
 * `WWW-Authenticate: Bearer` (with `resource_metadata` when OAuth is on); a missing scope is 403 insufficient_scope.
 * Without OAuth, a wrong token on `/mcp` is 403 INVALID_TOKEN: MCP clients start an OAuth sign-in on any 401, and
 * one this server does not offer ends in an error about client registration instead of the wrong token.
 */
export default fp<AuthOptions>(async function auth (app, opts) {
  app.decorateRequest('caller', null)
  const refuse = (request: FastifyRequest, reply: FastifyReply, error: AppError, challenge: Parameters<typeof challengeHeader>[2]): never => {
    reply.header('www-authenticate', challengeHeader(opts.oauth?.settings, isMcp(request), challenge))
    throw error
  }
  app.addHook('onRequest', async function authenticate (request, reply) {
    const header = request.headers.authorization
    if ((header === undefined || header.trim() === '') && opts.approvers !== undefined && opts.oauth !== undefined && request.url.startsWith('/approvals/')) {
      const approver = opts.approvers.approver(cookieValue(request.headers.cookie, APPROVER_COOKIE))
      if (approver !== undefined) {
        // A cookie is sent by the browser whoever asks: a change must come from our own page (CSRF), not another site.
        if (request.method !== 'GET' && request.headers.origin !== new URL(opts.oauth.settings.publicUrl).origin) {
          throw new AppError('FORBIDDEN', 'A decision made with the approval page\'s sign-in must come from the approval page itself (its Origin); open the approval link.')
        }
        request.caller = approver
        return
      }
    }
    if (header === undefined || header.trim() === '') return refuse(request, reply, missingToken(), {})
    const token = header.length <= MAX_TOKEN_LENGTH + 16 ? BEARER.exec(header)?.[1] : undefined
    const caller = token === undefined ? undefined : opts.callers.identify(token)
    if (caller !== undefined) {
      request.caller = caller
      return
    }
    if (opts.oauth === undefined || token === undefined) {
      const invalid = isMcp(request) && opts.oauth === undefined
        ? new AppError('INVALID_TOKEN', 'Invalid bearer token: this server does not offer OAuth sign-in, and the token in the "Authorization: Bearer <token>" header is not one it knows. Check the token you configured.')
        : new AppError('UNAUTHORIZED', 'Invalid bearer token: check the token in the "Authorization: Bearer <token>" header.')
      return refuse(request, reply, invalid, { error: 'invalid_token' })
    }
    try {
      request.caller = await opts.oauth.verify(token)
    } catch (err) {
      if (err instanceof InvalidToken) return refuse(request, reply, err, { error: 'invalid_token', description: err.message })
      if (err instanceof InsufficientScope) return refuse(request, reply, err, { error: 'insufficient_scope', scope: err.scope, description: err.message })
      if (isAppError(err)) throw err
      throw new AppError('OAUTH_UNAVAILABLE', 'The access token could not be checked now; try again shortly.', { cause: err })
    }
  })
}, { name: 'auth', fastify: '5.x' })
