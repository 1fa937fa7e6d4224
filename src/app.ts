import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import type { Catalog } from './catalog/catalog.js'
import type { HyperCoreClient } from './scale/client.js'
import { ErrorResponseSchema } from './schemas.js'
import { tools as defaultTools } from './tools/index.js'
import type { ToolDefinition } from './tools/registry.js'
import errorHandler from '../plugins/error-handler.js'
import swagger from '../plugins/swagger.js'
import corsPlugin from '../plugins/cors.js'
import auth from '../plugins/auth.js'
import healthRoutes, { type HealthOptions } from '../routes/health.js'
import openapiRoutes from '../routes/openapi.js'
import toolRoutes from '../routes/tools.js'

/** What the app is built around: the catalog, and the cluster client when there is one. */
export interface AppDeps {
  catalog: Catalog
  cluster?: HyperCoreClient
  /** How /health describes the cluster side. */
  clusterInfo: HealthOptions
  /** The tools to publish; the full registry unless a test narrows it. */
  tools?: ToolDefinition[]
}

/** Options that differ between the server, the OpenAPI emitter and tests. */
export interface BuildOptions {
  /** A pino logger to use; none means a silent app (tests, the OpenAPI emitter). */
  logger?: Logger
  /** Serve Swagger UI at /docs (default true). */
  swaggerUi?: boolean
}

/** Builds the Fastify app: plugins, public routes, then the bearer-protected tool scope. */
export async function buildApp (config: Config, deps: AppDeps, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger === undefined ? { logger: false } : { loggerInstance: opts.logger }),
    // Tool hosts send whole JSON documents as payloads; 10 MiB leaves room without inviting abuse.
    bodyLimit: 10 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, allErrors: true } },
    return503OnClosing: true,
    forceCloseConnections: 'idle'
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.addSchema(ErrorResponseSchema)
  await app.register(errorHandler)
  await app.register(swagger, { ui: opts.swaggerUi ?? true })
  await app.register(corsPlugin, { origins: config.corsOrigins })

  await app.register(healthRoutes, deps.clusterInfo)
  await app.register(openapiRoutes)

  await app.register(async function protectedTools (api) {
    await api.register(auth, { tokens: config.tokens })
    await api.register(toolRoutes, {
      tools: deps.tools ?? defaultTools,
      context: { catalog: deps.catalog, cluster: deps.cluster }
    })
  })

  return app as unknown as FastifyInstance
}
