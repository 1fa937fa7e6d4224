import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { version } from '../src/lib/paths.js'

/** Options of the swagger plugin. */
export interface SwaggerOptions {
  /** Serve Swagger UI at /docs. */
  ui: boolean
  /** Our public URL (PUBLIC_URL): becomes the document's `servers` entry. */
  publicUrl?: string
}

const DESCRIPTION = 'Tools for exploring and driving a Scale Computing HyperCore cluster\'s REST API. ' +
  'Every tool is `POST /<tool_name>` with a JSON body and a bearer token; a tool that needs no argument takes its ' +
  'optional ones as query parameters instead (or in the body). ' +
  'Typical flow: query_api to find an endpoint, describe_endpoint to learn its payload, run_api to call it.'

/**
 * Builds our OpenAPI document from the route schemas and serves Swagger UI at /docs.
 * @see {@link https://github.com/fastify/fastify-swagger}
 */
export default fp<SwaggerOptions>(async function swaggerPlugin (app, opts) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'scale-api-helper', version, description: DESCRIPTION },
      // Without PUBLIC_URL there is no `servers` entry: tool hosts call the URL they were configured with.
      ...(opts.publicUrl === undefined ? {} : { servers: [{ url: opts.publicUrl }] }),
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'A token from MCP_BEARER_TOKEN (or the one printed at start).' }
        }
      },
      tags: [
        { name: 'Catalog', description: 'Find and describe HyperCore REST endpoints (no cluster needed)' },
        { name: 'HyperCore', description: 'Call the HyperCore REST API on the cluster' },
        { name: 'Session', description: 'The HyperCore login session' },
        { name: 'Safety', description: 'The audit of changes and refusals' }
      ]
    },
    // Name shared schemas by their $id (ErrorResponse) instead of def-0.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
  if (opts.ui) {
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true, tryItOutEnabled: false, displayRequestDuration: true }
    })
  }
}, { name: 'swagger', fastify: '5.x' })
