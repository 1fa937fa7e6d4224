import { createHash, timingSafeEqual } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Server as TlsServer } from 'node:tls'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { Catalog, CatalogOperation } from '../catalog/catalog.js'
import { validatePayload } from '../catalog/validate.js'
import { AppError, isAppError } from '../errors.js'
import { UploadBody, badRequest, type Handler, type SimContext } from './context.js'
import type { FaultSettings, Faults } from './faults.js'
import { genericHandler, resourceHandlers } from './resources.js'
import type { SessionStore } from './sessions.js'
import { vmHandlers } from './vms.js'

/** Everything the HTTP layer needs. */
export interface ServerParts {
  sim: SimContext
  sessions: SessionStore
  faults: Faults
  catalog: Catalog
  credentials: { username: string, password: string }
  tls?: { key: string, cert: string }
  logger?: Logger
}

const BASE = '/rest/v1'
// Handled by dedicated routes, outside the session check.
const SESSION_FREE = new Set(['GET /ping', 'POST /login', 'OPTIONS /login', 'POST /logout'])
const JSON_LIMIT = 10 * 1024 * 1024

// What a reverse proxy in front of a struggling service sends instead of JSON.
function htmlErrorPage (status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`
  return `<!DOCTYPE html>\n<html><head><title>${title}</title></head>\n<body><center><h1>${title}</h1></center><hr><center>nginx</center></body></html>\n`
}

/** The error body every simulated failure uses: `{ error, details? }`, as a cluster answers with an error message. */
export function errorBody (message: string, details?: unknown): string {
  return JSON.stringify(details === undefined ? { error: message } : { error: message, details })
}

function sendJson (reply: FastifyReply, status: number, json: string): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(json)
}

function sameSecret (a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the comparison takes the same time whatever was typed.
  const ha = createHash('sha256').update(a).digest()
  const hb = createHash('sha256').update(b).digest()
  return timingSafeEqual(ha, hb)
}

function sessionIdOf (request: FastifyRequest): string | undefined {
  const header = request.headers.cookie
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === 'sessionID') return part.slice(eq + 1).trim()
  }
  return undefined
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
    if (decision.kind === 'nonJson') {
      return reply.code(decision.status).header('content-type', 'text/html; charset=utf-8').send(htmlErrorPage(decision.status))
    }
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
      throw new AppError('UNAUTHORIZED', 'OpenID Connect login is not configured on this cluster', 401)
    }
    if (!checkCredentials(parts, username, password)) {
      request.log.info({ username }, 'simulator login refused')
      throw new AppError('UNAUTHORIZED', 'Invalid username or password', 401)
    }
    const id = sessions.create(username)
    reply.header('set-cookie', `sessionID=${id}; Path=/; HttpOnly${secure ? '; Secure' : ''}`)
    return sendJson(reply, 200, JSON.stringify({ sessionID: id }))
  })

  app.post(`${BASE}/logout`, async function logout (request, reply) {
    sessions.destroy(sessionIdOf(request))
    reply.header('set-cookie', `sessionID=; Path=/; HttpOnly${secure ? '; Secure' : ''}; Max-Age=0`)
    return sendJson(reply, 200, '{}')
  })

  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: `${BASE}/*`,
    handler: async function restCall (request, reply) {
      const cookie = sessionIdOf(request)
      const username = sessions.touch(cookie)
      if (username === undefined) {
        throw new AppError('UNAUTHORIZED', cookie === undefined
          ? 'Authentication required: log in with POST /rest/v1/login and send the sessionID cookie'
          : 'The session is not valid or has expired; log in again', 401)
      }
      const match = catalog.find(request.method, request.url)
      if (match === undefined) {
        const others = catalog.operationsForPath(request.url).map((op) => op.method)
        if (others.length === 0) throw new AppError('NOT_FOUND', `No such resource: ${request.method} ${request.url.split('?')[0] as string}`, 404)
        reply.header('allow', others.join(', '))
        throw new AppError('METHOD_NOT_ALLOWED', `${request.method} is not supported here; use ${others.join(', ')}`, 405)
      }
      const { operation, params } = match
      const entry = handlers.get(`${operation.method} ${operation.path}`)
      if (entry === undefined) throw new AppError('NOT_FOUND', `No such resource: ${request.method} ${operation.path}`, 404)
      const body = request.body
      const wantsJson = operation.requestContentType === undefined || /json/i.test(operation.requestContentType)
      if (wantsJson && body instanceof UploadBody) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'the body must be JSON (application/json)', 415)
      if (wantsJson && operation.requestContentType !== undefined) {
        const check = validatePayload(operation, body)
        if (check.errors.length > 0) {
          const first = check.errors[0] as { path: string, message: string }
          throw badRequest(`Invalid request body: ${first.path === '' ? '' : first.path + ': '}${first.message}`, check.errors)
        }
      }
      sim.tasks.settle()
      const result = entry.handler({ sim, operation, params, query: firstValues(request.query), body, username })
      return sendJson(reply, 200, JSON.stringify(result))
    }
  })

  await app.register(async function controlRoutes (control) {
    control.addHook('onRequest', async function basicAuth (request) {
      const header = request.headers.authorization ?? ''
      const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : ''
      const colon = decoded.indexOf(':')
      const ok = colon > 0 && sameSecret(decoded.slice(0, colon), credentials.username) && sameSecret(decoded.slice(colon + 1), credentials.password)
      if (!ok) {
        throw new AppError('UNAUTHORIZED', 'The simulator control API needs HTTP Basic authentication with the simulator\'s credentials', 401, {})
      }
    })
    control.addHook('onSend', async function challenge (_request, reply, payload) {
      if (reply.statusCode === 401) reply.header('www-authenticate', 'Basic realm="hypercore-simulator"')
      return payload
    })
    const describe = (): string => JSON.stringify({
      faults: faults.get(),
      sessions: sessions.size,
      vms: sim.state.vms.size,
      tasks: sim.tasks.list().filter((t) => t.state === 'QUEUED' || t.state === 'RUNNING').length
    })
    control.get('/__simulator', async (_request, reply) => sendJson(reply, 200, describe()))
    control.get('/__simulator/faults', async (_request, reply) => sendJson(reply, 200, JSON.stringify(faults.get())))
    control.post('/__simulator/faults', async (request, reply) => {
      const body = request.body
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body must be a JSON object of fault settings')
      faults.set(body as FaultSettings)
      return sendJson(reply, 200, JSON.stringify(faults.get()))
    })
    control.delete('/__simulator/faults', async (_request, reply) => {
      faults.reset()
      return sendJson(reply, 200, JSON.stringify(faults.get()))
    })
    control.post('/__simulator/expire-sessions', async (_request, reply) => {
      const expired = sessions.size
      faults.expireSessions()
      return sendJson(reply, 200, JSON.stringify({ expired }))
    })
  })

  if (parts.tls !== undefined) {
    sim.replaceCertificate = (cert, key) => {
      (app.server as unknown as TlsServer).setSecureContext({ cert, key })
    }
  }
  return app
}

function checkCredentials (parts: ServerParts, username: string, password: string): boolean {
  const { credentials, sim } = parts
  // Evaluate both comparisons so the time taken does not reveal which part was wrong.
  const userOk = sameSecret(username, credentials.username)
  const passOk = sameSecret(password, credentials.password)
  if (userOk && passOk) return true
  for (const user of sim.state.collection('User').values()) {
    if (user.username !== username) continue
    const stored = sim.state.passwords.get(user.uuid)
    return stored !== undefined && sameSecret(password, stored)
  }
  return false
}
