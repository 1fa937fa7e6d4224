import fp from 'fastify-plugin'
import bearerAuth from '@fastify/bearer-auth'

/** Options of the auth plugin. */
export interface AuthOptions {
  /** Accepted bearer tokens; must not be empty. */
  tokens: string[]
}

/**
 * Guards every route of the scope it is registered in with a bearer token (constant-time compare).
 * @see {@link https://github.com/fastify/fastify-bearer-auth}
 */
export default fp<AuthOptions>(async function auth (app, opts) {
  if (opts.tokens.length === 0 || opts.tokens.some((t) => t.trim() === '')) {
    throw new Error('auth: at least one non-empty bearer token is required')
  }
  await app.register(bearerAuth, {
    keys: new Set(opts.tokens),
    // We add the hook ourselves so a 401 goes through our error handler and shape.
    addHook: false,
    verifyErrorLogLevel: 'debug'
  })
  const verify = app.verifyBearerAuth
  if (verify === undefined) throw new Error('auth: @fastify/bearer-auth did not decorate verifyBearerAuth')
  app.addHook('onRequest', verify)
}, { name: 'auth', fastify: '5.x' })
