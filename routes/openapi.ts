import type { FastifyPluginAsync } from 'fastify'

/** Public route serving our OpenAPI document: `GET /openapi.json`. */
const openapiRoutes: FastifyPluginAsync = async function openapiRoutes (app) {
  app.get('/openapi.json', {
    schema: {
      summary: 'This OpenAPI document',
      description: 'Public. The document tool hosts (Open WebUI, mcpo) read to learn the tools.',
      tags: ['Meta']
    }
  }, async function openapiDocument () {
    return app.swagger()
  })
}

export default openapiRoutes
