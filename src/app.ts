import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config/config.js'
import { buildGate, type GateDeps } from './faces/gate.js'
import { Metrics } from './observe/metrics.js'
import { ErrorResponseSchema } from './schemas.js'
import { CallerDirectory } from './gate/identity.js'
import bodyParsers from '../plugins/body-parsers.js'
import errorHandler from '../plugins/error-handler.js'
import httpLimits, { clientErrorHandler, HEADERS_TIMEOUT_MS, MAX_CLIENT_CONNECTIONS, REQUEST_TIMEOUT_MS } from '../plugins/http-limits.js'
import swagger from '../plugins/swagger.js'
import corsPlugin from '../plugins/cors.js'
import auth from '../plugins/auth.js'
import rateLimit from '../plugins/rate-limit.js'
import { approvalApi, approvalPage } from '../routes/approvals.js'
import healthRoutes, { type HealthOptions } from '../routes/health.js'
import oauthMetadataRoutes from '../routes/oauth-metadata.js'
import { OAuthVerifier } from './oauth/verifier.js'
import { SignedCookies } from './oauth/approver-session.js'
import { approvalSignIn } from '../routes/approval-sign-in.js'
import metricsRoutes from '../routes/metrics.js'
import openapiRoutes from '../routes/openapi.js'
import toolRoutes from '../routes/tools.js'
import mcpRoutes from '../routes/mcp.js'

/** What the app is built around: what the gate is built from, and how /health describes the cluster side. */
export interface AppDeps extends GateDeps {
  clusterInfo: HealthOptions
  /** The access-token verifier (tests give one with their own clock); built from OAUTH_* when absent. */
  oauth?: OAuthVerifier
}

const SILENT_LOG = { debug () {}, info () {}, warn () {}, error () {} }

/** Options that differ between the server, the OpenAPI emitter and tests. */
export interface BuildOptions {
  /** A pino logger to use; none means a silent app (tests, the OpenAPI emitter). */
  logger?: Logger
  /** Serve Swagger UI at /docs (default true). */
  swaggerUi?: boolean
  /** How long a client may take to send a whole request, and to take any of an answer (tests shorten it). */
  requestTimeoutMs?: number
}

/** Builds the Fastify app: plugins, public routes, then the bearer-protected tool scope. */
export async function buildApp (config: Config, deps: AppDeps, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const requestTimeout = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
  const headersTimeout = Math.min(HEADERS_TIMEOUT_MS, requestTimeout)
  const app = Fastify({
    ...(opts.logger === undefined ? { logger: false } : { loggerInstance: opts.logger }),
    // One line per request at debug (below), not two at info: at info the log says what happened, not every call.
    logController: new LogController({ disableRequestLogging: true }),
    // Tool hosts send whole JSON documents as payloads; 10 MiB leaves room without inviting abuse.
    bodyLimit: 10 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, allErrors: false, coerceTypes: false } },
    // Our own hook answers 503 in our shape while closing (Fastify's has a fixed body of its own).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    requestTimeout,
    // Node checks request deadlines every connectionsCheckingInterval (30 s by default): check often enough to keep
    // them. Node only honours a request timeout shorter than the headers timeout once the latter has passed too.
    http: { headersTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) },
    clientErrorHandler: clientErrorHandler({ requestTimeoutMs: requestTimeout, headersTimeoutMs: headersTimeout })
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.server.maxConnections = MAX_CLIENT_CONNECTIONS
  app.addHook('onResponse', async function logRequest (request, reply) {
    request.log.debug({ method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime), caller: request.caller?.name }, 'request')
  })

  const metrics = deps.metrics ?? new Metrics({ processMetrics: false })
  const gate = buildGate(config, { ...deps, metrics }, opts.logger)
  const callers = new CallerDirectory(config.callers)
  const oauth = deps.oauth ?? (config.oauth === undefined ? undefined : new OAuthVerifier(config.oauth, { log: opts.logger ?? SILENT_LOG }))
  app.addHook('onClose', async () => {
    if (deps.audit === undefined) await gate.close()
  })

  app.addSchema(ErrorResponseSchema)
  // An answer the client takes nothing of for as long as a request may take to arrive is abandoned.
  await app.register(httpLimits, { maxConnectionsPerIp: config.maxConnectionsPerIp, stallMs: requestTimeout })
  await app.register(errorHandler)
  await app.register(bodyParsers)
  await app.register(swagger, { ui: opts.swaggerUi ?? true, publicUrl: config.publicUrl })
  await app.register(corsPlugin, { origins: config.corsOrigins })

  await app.register(healthRoutes, { ...deps.clusterInfo, safety: config.safety.mode, cluster: deps.clusterInfo.cluster, client: deps.cluster, store: gate.store, ...(deps.fleet === undefined ? {} : { fleet: deps.fleet }) })
  await app.register(openapiRoutes, { callers, gate, ...(oauth === undefined ? {} : { oauth }) })
  const approvers = oauth?.settings.approvalClient === undefined ? undefined : new SignedCookies(config.safety.confirmKey)
  await app.register(approvalPage, { signIn: approvers !== undefined })
  if (oauth !== undefined && approvers !== undefined) await app.register(approvalSignIn, { oauth, cookies: approvers })
  await app.register(oauthMetadataRoutes, { ...(config.oauth === undefined ? {} : { oauth: config.oauth }) })

  await app.register(async function protectedScope (api) {
    await api.register(auth, { callers, ...(oauth === undefined ? {} : { oauth }), ...(approvers === undefined ? {} : { approvers }) })
    await api.register(rateLimit, { perMinute: config.rateLimitPerMinute, store: gate.store })
    await api.register(toolRoutes, { gate })
    await api.register(approvalApi, { gate })
    await api.register(metricsRoutes, { metrics })
    await api.register(mcpRoutes, { gate, catalog: deps.catalog, config, now: deps.now })
  })

  return app as unknown as FastifyInstance
}
