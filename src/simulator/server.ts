import { STATUS_CODES } from 'node:http'
import type { Server as TlsServer } from 'node:tls'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify'
import type { Logger } from 'pino'
import type { Catalog, CatalogOperation } from '../catalog/catalog.js'
import { validatePayload } from '../catalog/validate.js'
import { canonicalTarget, REPEATED_PREFIX } from '../scale/canonical-path.js'
import { AppError, isAppError } from '../errors/app-error.js'
import { basicCredentials, checkCredentials, sessionIdOf, type Credentials } from './auth.js'
import { clusterRoutes } from './cluster-routes.js'
import { StatusAnswer, UploadBody, badRequest, type Handler, type SimContext } from './context.js'
import { controlRoutes, type ClusterControl } from './control-routes.js'
import type { Faults } from './faults.js'
import { HttpError } from './http-error.js'
import { genericHandler, resourceHandlers } from './resources.js'
import type { LoginSessions } from './sessions.js'
import { vmHandlers } from './vms.js'

/** Everything the HTTP layer needs. */
export interface ServerParts {
  sim: SimContext
  sessions: LoginSessions
  faults: Faults
  catalog: Catalog
  credentials: Credentials
  /** Node, update and power switches for the control API. */
  cluster: ClusterControl
  tls?: { key: string, cert: string }
  logger?: Logger
}

const BASE = '/rest/v1'
// Handled by dedicated routes, outside the session check.
const SESSION_FREE = new Set(['GET /ping', 'POST /login', 'OPTIONS /login', 'POST /logout'])
const JSON_LIMIT = 10 * 1024 * 1024

/** What a reverse proxy in front of a struggling service sends instead of JSON. */
export function htmlErrorPage (status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`
  return `<!DOCTYPE html>\n<html><head><title>${title}</title></head>\n<body><center><h1>${title}</h1></center><hr><center>nginx</center></body></html>\n`
}

/** The error body every simulated failure uses: `{ error, details? }`, as a cluster answers with an error message. */
export function errorBody (message: string, details?: unknown): string {
  return JSON.stringify(details === undefined ? { error: message } : { error: message, details })
}

/** Sends a JSON text with a status. */
export function sendJson (reply: FastifyReply, status: number, json: string): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(json)
}

/** Sends an HTML error page with a status, as the web server in front of a cluster's API does. */
export function sendHtml (reply: FastifyReply, status: number): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').send(htmlErrorPage(status))
}

function firstValues (query: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  if (query === null || typeof query !== 'object') return out
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    out[key] = Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value)
  }
  return out
}

/** The handler for each catalogued operation, keyed `METHOD /template`. */
function handlerTable (catalog: Catalog): Map<string, { operation: CatalogOperation, handler: Handler }> {
  const table = new Map<string, { operation: CatalogOperation, handler: Handler }>()
  for (const operation of catalog.operations) {
    const key = `${operation.method} ${operation.path}`
    if (SESSION_FREE.has(key)) continue
    table.set(key, { operation, handler: vmHandlers[key] ?? resourceHandlers[key] ?? genericHandler(operation) })
  }
  return table
}

/** Builds (but does not start) the simulator's HTTP(S) server. */
export async function buildSimulatorServer (parts: ServerParts): Promise<FastifyInstance> {
  const { sim, sessions, faults, catalog, credentials } = parts
  const secure = parts.tls !== undefined
  const app = Fastify({
    ...(parts.logger === undefined ? { logger: false } : { loggerInstance: parts.logger }),
    ...(parts.tls === undefined ? {} : { https: { key: parts.tls.key, cert: parts.tls.cert } }),
    // Request lines are logged below without query strings or headers, so cookies never reach the log.
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    forceCloseConnections: true,
    // RFC 9112 section 3.2.2: a server must accept the absolute form (`POST https://host/rest/v1/VirDomain`), as a
    // cluster's web server does; routes see the origin form.
    rewriteUrl: (req) => originForm(req.url ?? '/'),
    bodyLimit: JSON_LIMIT
  }) as unknown as FastifyInstance
  const handlers = handlerTable(catalog)

  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, function parseJson (_request, text, done) {
    const source = String(text)
    if (source.trim() === '') {
      done(null, undefined)
      return
    }
    try {
      done(null, JSON.parse(source))
    } catch (err) {
      done(badRequest(`the body is not valid JSON: ${(err as Error).message}`), undefined)
    }
  })
  // Uploads can be large: count the bytes as they stream past and keep none of them.
  app.addContentTypeParser('application/octet-stream', function countBytes (_request, payload, done) {
    let bytes = 0
    payload.on('data', (chunk: Buffer) => { bytes += chunk.length })
    payload.on('end', () => done(null, new UploadBody(bytes)))
    payload.on('error', (err: Error) => done(err, undefined))
  })

  app.setErrorHandler(function simulatorErrors (err, request, reply) {
    if (err instanceof HttpError) return sendJson(reply, err.status, errorBody(err.message, err.details))
    if (isAppError(err)) return sendJson(reply, err.statusCode, errorBody(err.message, err.details))
    const status = (err as { statusCode?: number }).statusCode ?? 500
    if (status < 500) return sendJson(reply, status, errorBody((err as Error).message))
    request.log.error({ err }, 'simulator request failed')
    return sendJson(reply, 500, errorBody('Internal service error'))
  })
  app.setNotFoundHandler(function notFound (request, reply) {
    return sendJson(reply, 404, errorBody(`No such resource: ${request.method} ${request.url.split('?')[0] as string}`))
  })
  app.addHook('onResponse', async function logLine (request, reply) {
    request.log.debug({ method: request.method, path: request.url.split('?')[0], statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'simulator request')
  })

  // While an update applies, /rest/v1 calls are accepted and never answered; just after, the proxy answers 502.
  app.addHook('onRequest', async function updateInProgress (request, reply) {
    if (!request.url.startsWith(BASE)) return
    const behaviour = sim.update.restBehaviour()
    if (behaviour === 'hang') {
      reply.hijack()
      request.log.debug({ method: request.method, path: request.url.split('?')[0] }, 'simulator request left hanging (update applying)')
      return reply
    }
    if (behaviour === 'bad-gateway') return sendHtml(reply, 502)
  })

  app.addHook('onRequest', async function injectFaults (request, reply) {
    if (!request.url.startsWith(BASE)) return
    const { latencyMs } = faults.get()
    if (latencyMs > 0) await sleep(latencyMs, undefined, { ref: false })
    const decision = faults.decide()
    if (decision.kind === 'reset') {
      reply.hijack()
      request.raw.socket.destroy()
      return reply
    }
    if (decision.kind === 'error') {
      const message = decision.status === 503 ? 'The cluster is busy; try again later' : 'Internal service error has occurred'
      return sendJson(reply, decision.status, errorBody(message))
    }
    if (decision.kind === 'nonJson') return sendHtml(reply, decision.status)
  })

  app.get(`${BASE}/ping`, async function ping (_request, reply) {
    return sendJson(reply, 200, JSON.stringify({ status: 'Active' }))
  })

  app.options(`${BASE}/login`, async function loginPreflight (request, reply) {
    const origin = request.headers.origin
    if (origin !== undefined) {
      reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true')
        .header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'content-type')
    }
    return reply.code(200).send()
  })

  app.post(`${BASE}/login`, async function login (request, reply) {
    const body = request.body
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body must be a JSON object with username and password')
    const { username, password, useOIDC } = body as Record<string, unknown>
    if (typeof username !== 'string' || typeof password !== 'string') throw badRequest('username and password are required strings')
    if (useOIDC !== undefined && typeof useOIDC !== 'boolean') throw badRequest('useOIDC must be true or false')
    if (useOIDC === true && sim.state.collection('OIDCConfig').size === 0) {
      throw new AppError('UNAUTHORIZED', 'OpenID Connect login is not configured on this cluster')
    }
    if (!checkCredentials(credentials, sim.state, username, password)) {
      request.log.info({ username }, 'simulator login refused')
      throw new AppError('UNAUTHORIZED', 'Invalid username or password')
    }
    const id = sessions.create(username)
    reply.header('set-cookie', `sessionID=${id}; Path=/; HttpOnly${secure ? '; Secure' : ''}`)
    return sendJson(reply, 200, JSON.stringify({ sessionID: id }))
  })

  app.post(`${BASE}/logout`, async function logout (request, reply) {
    sessions.destroy(sessionIdOf(request.headers))
    reply.header('set-cookie', `sessionID=; Path=/; HttpOnly${secure ? '; Secure' : ''}; Max-Age=0`)
    return sendJson(reply, 200, '{}')
  })

  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: `${BASE}/*`,
    handler: async function restCall (request, reply) {
      const { username, sessionID } = authenticate(parts, request.headers)
      // Decoded the way our client canonicalises paths, so /%56irDomain reaches VirDomain here as on a real server.
      const path = canonicalPathOf(request.url)
      const match = catalog.find(request.method, path)
      if (match === undefined) {
        const others = catalog.operationsForPath(path).map((op) => op.method)
        if (others.length === 0) throw new AppError('NOT_FOUND', `No such resource: ${request.method} ${path}`)
        reply.header('allow', others.join(', '))
        throw new AppError('METHOD_NOT_ALLOWED', `${request.method} is not supported here; use ${others.join(', ')}`)
      }
      const { operation, params } = match
      const entry = handlers.get(`${operation.method} ${operation.path}`)
      if (entry === undefined) throw new AppError('NOT_FOUND', `No such resource: ${request.method} ${operation.path}`)
      const body = request.body
      const wantsJson = operation.requestContentType === undefined || /json/i.test(operation.requestContentType)
      if (wantsJson && body instanceof UploadBody) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'the body must be JSON (application/json)')
      if (wantsJson && operation.requestContentType !== undefined) {
        const check = validatePayload(operation, body)
        if (check.errors.length > 0) {
          const first = check.errors[0] as { path: string, message: string }
          throw badRequest(`Invalid request body: ${first.path === '' ? '' : first.path + ': '}${first.message}`, check.errors)
        }
      }
      sim.tasks.settle()
      const result = sim.tasks.runAs(sessionID, () => entry.handler({ sim, operation, params, query: firstValues(request.query), body, username, sessionID }))
      if (result instanceof StatusAnswer) return sendJson(reply, result.status, JSON.stringify(result.body))
      return sendJson(reply, 200, JSON.stringify(result))
    }
  })

  await app.register(clusterRoutes, { sim, catalog, authenticate: (headers) => authenticate(parts, headers).username })

  await app.register(controlRoutes, { sim, sessions, faults, credentials, cluster: parts.cluster })

  if (parts.tls !== undefined) {
    sim.replaceCertificate = (cert, key) => {
      (app.server as unknown as TlsServer).setSecureContext({ cert, key })
    }
  }
  return app
}

// The path below /rest/v1, decoded once; a path no server would route (encoded slash, dot segments) is a 400.
function canonicalPathOf (url: string): string {
  try {
    return canonicalTarget(url.split('?')[0] as string).path
  } catch (err) {
    // The strict reading of a prefix inside the prefix: a route that does not exist, not a path to strip again.
    if (isAppError(err) && (err.details as { reason?: string } | undefined)?.reason === REPEATED_PREFIX) {
      throw new AppError('NOT_FOUND', `No such resource: ${url.split('?')[0] as string}`)
    }
    throw badRequest(`Invalid request path: ${isAppError(err) ? String((err.details as { reason?: string } | undefined)?.reason ?? err.message) : 'malformed'}`)
  }
}

/**
 * Who a /rest/v1 call is from: a valid `sessionID` cookie, or else HTTP Basic credentials (real clusters accept both).
 * Throws 401 when neither holds.
 */
function authenticate (parts: ServerParts, headers: Parameters<typeof sessionIdOf>[0]): { username: string, sessionID: string } {
  const cookie = sessionIdOf(headers)
  const fromSession = parts.sessions.touch(cookie)
  if (fromSession !== undefined) return { username: fromSession, sessionID: cookie as string }
  const basic = basicCredentials(headers)
  if (basic !== undefined) {
    if (checkCredentials(parts.credentials, parts.sim.state, basic.username, basic.password)) return { username: basic.username, sessionID: '' }
    throw new AppError('UNAUTHORIZED', 'Invalid username or password')
  }
  throw new AppError('UNAUTHORIZED', cookie === undefined
    ? 'Authentication required: log in with POST /rest/v1/login and send the sessionID cookie, or use HTTP Basic'
    : 'The session is not valid or has expired; log in again')
}

// `https://host:port/rest/v1/x?y` → `/rest/v1/x?y`; anything else as it came.
function originForm (url: string): string {
  const absolute = /^https?:\/\/[^/?#]*(.*)$/i.exec(url)
  if (absolute === null) return url
  const rest = absolute[1] ?? ''
  return rest.startsWith('/') ? rest : `/${rest}`
}
