import fp from 'fastify-plugin'
import bearerAuth from '@fastify/bearer-auth'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../src/errors/app-error.js'
import type { Caller, CallerDirectory } from '../src/gate/identity.js'

/** Options of the auth plugin. */
export interface AuthOptions {
  /** Who may call, by token. */
  callers: CallerDirectory
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

/**
 * Guards every route of the scope it is registered in with a bearer token and attaches the caller it belongs to.
 * Tokens are compared as SHA-256 digests in constant time against every configured caller; the scheme is matched
 * case-insensitively (`bearer` is as valid as `Bearer`, RFC 7235).
 * @see {@link https://github.com/fastify/fastify-bearer-auth}
 */
export default fp<AuthOptions>(async function auth (app, opts) {
  app.decorateRequest('caller', null)
  await app.register(bearerAuth, {
    keys: new Set<string>(),
    auth (key, request) {
      const caller = opts.callers.identify(key)
      if (caller === undefined) return false
      request.caller = caller
      return true
    },
    specCompliance: 'rfc6749',
    // We add the hook ourselves so a 401 goes through our error handler and shape.
    addHook: false,
    verifyErrorLogLevel: 'debug'
  })
  const verify = app.verifyBearerAuth
  if (verify === undefined) throw new Error('auth: @fastify/bearer-auth did not decorate verifyBearerAuth')
  app.addHook('onRequest', verify)
}, { name: 'auth', fastify: '5.x' })
