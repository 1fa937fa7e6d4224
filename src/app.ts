import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import type { Catalog } from './catalog/catalog.js'
import type { HyperCoreClient } from './scale/client.js'
import { ErrorResponseSchema } from './schemas.js'
import { tools as defaultTools } from './tools/index.js'
import { askTools } from './tools/ask.js'
import { AuditLog } from './gate/audit.js'
import { ConfirmTokens } from './gate/confirm-token.js'
import { Gate } from './gate/gate.js'
import { CallerDirectory } from './gate/identity.js'
import { Policy } from './gate/policy.js'
import { MemoryGateStore, type GateStore } from './gate/store.js'
import type { ToolDefinition } from './gate/tool.js'
import errorHandler from '../plugins/error-handler.js'
import swagger from '../plugins/swagger.js'
import corsPlugin from '../plugins/cors.js'
import auth from '../plugins/auth.js'
import rateLimit from '../plugins/rate-limit.js'
import { approvalApi, approvalPage } from '../routes/approvals.js'
import healthRoutes, { type HealthOptions } from '../routes/health.js'
import openapiRoutes from '../routes/openapi.js'
import toolRoutes from '../routes/tools.js'
import mcpRoutes from '../routes/mcp.js'

/** What the app is built around: the catalog, and the cluster client when there is one. */
export interface AppDeps {
  catalog: Catalog
  cluster?: HyperCoreClient
  /** How /health describes the cluster side. */
  clusterInfo: HealthOptions
  /** The tools to publish; the full registry unless a test narrows it. */
  tools?: readonly ToolDefinition[]
  /** Shared gate state; in memory unless given (a shared store serves several replicas). */
  store?: GateStore
  /** The audit log; opened from SCALE_AUDIT_FILE unless given. */
  audit?: AuditLog
  /** The clock of confirm tokens, approvals and rate limits (tests move it by hand). */
  now?: () => number
}

/** Options that differ between the server, the OpenAPI emitter and tests. */
export interface BuildOptions {
  /** A pino logger to use; none means a silent app (tests, the OpenAPI emitter). */
  logger?: Logger
  /** Serve Swagger UI at /docs (default true). */
  swaggerUi?: boolean
}

const SILENT = { debug () {}, info () {}, warn () {}, error () {} }

/** Builds the gate every face calls tools through, from the configuration and the runtime's pieces. */
export function buildGate (config: Config, deps: AppDeps, log: Logger | undefined): Gate {
  const now = deps.now ?? Date.now
  return new Gate({
    tools: deps.tools ?? [...defaultTools, ...askTools(config.llm)],
    catalog: deps.catalog,
    cluster: deps.cluster,
    policy: new Policy(config.safety.mode, config.safety.confirmVia, config.safety.rules),
    tokens: new ConfirmTokens(config.safety.confirmKey, config.safety.confirmTtlMs, now),
    store: deps.store ?? new MemoryGateStore(now),
    audit: deps.audit ?? AuditLog.open(config.safety.auditFile, log ?? SILENT),
    publicUrl: config.publicUrl,
    secrets: config.tokens,
    now
  })
}

/** Builds the Fastify app: plugins, public routes, then the bearer-protected tool scope. */
export async function buildApp (config: Config, deps: AppDeps, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger === undefined ? { logger: false } : { loggerInstance: opts.logger }),
    // Tool hosts send whole JSON documents as payloads; 10 MiB leaves room without inviting abuse.
    bodyLimit: 10 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, allErrors: false, coerceTypes: false } },
    return503OnClosing: true,
    forceCloseConnections: 'idle'
  }).withTypeProvider<TypeBoxTypeProvider>()

  const gate = buildGate(config, deps, opts.logger)
  const callers = new CallerDirectory(config.callers)
  app.addHook('onClose', async () => {
    if (deps.audit === undefined) await gate.close()
  })

  app.addSchema(ErrorResponseSchema)
  await app.register(errorHandler)
  await app.register(swagger, { ui: opts.swaggerUi ?? true, publicUrl: config.publicUrl })
  await app.register(corsPlugin, { origins: config.corsOrigins })

  await app.register(healthRoutes, { ...deps.clusterInfo, safety: config.safety.mode })
  await app.register(openapiRoutes, { callers, gate })
  await app.register(approvalPage)

  await app.register(async function protectedScope (api) {
    await api.register(auth, { callers })
    await api.register(rateLimit, { perMinute: config.rateLimitPerMinute, store: gate.store })
    await api.register(toolRoutes, { gate })
    await api.register(approvalApi, { gate })
    await api.register(mcpRoutes, { gate, catalog: deps.catalog, config, now: deps.now })
  })

  return app as unknown as FastifyInstance
}
