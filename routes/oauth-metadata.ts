import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../src/errors/app-error.js'
import { METADATA_PATH, protectedResourceMetadata } from '../src/oauth/metadata.js'
import type { OAuthSettings } from '../src/oauth/settings.js'

/**
 * RFC 9728 protected resource metadata, public: `/.well-known/oauth-protected-resource` for the server and
 * `/.well-known/oauth-protected-resource/mcp` for its MCP endpoint, naming the identity provider MCP clients sign in
 * with and the scopes. Without OAuth sign-in both are 404 in our shape, saying bearer tokens are what works here.
 */
const oauthMetadataRoutes: FastifyPluginAsyncTypebox<{ oauth?: OAuthSettings }> = async function oauthMetadataRoutes (app, opts) {
  for (const mcp of [false, true]) {
    app.get(`${METADATA_PATH}${mcp ? '/mcp' : ''}`, { schema: { hide: true } }, async function protectedResource (_request, reply) {
      if (opts.oauth === undefined) throw new AppError('NOT_FOUND', 'This server does not offer OAuth sign-in: send a bearer token of its AUTH_FILE or MCP_BEARER_TOKEN in "Authorization: Bearer <token>".')
      return await reply.header('cache-control', 'public, max-age=300').send(protectedResourceMetadata(opts.oauth, mcp))
    })
  }
}

export default oauthMetadataRoutes
