import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Catalog } from '../catalog/catalog.js'
import { badRequest, type SimContext } from './context.js'
import { emptyV2Spec, specFromCatalog, versionAtLeast } from './spec.js'

/** What the routes outside `/rest/v1/*` need. */
export interface ClusterRouteOptions {
  sim: SimContext
  catalog: Catalog
  /** The calling user, from a session cookie or HTTP Basic; throws 401 otherwise. */
  authenticate: (headers: IncomingHttpHeaders) => string
}

const JSON_TYPE = 'application/json; charset=utf-8'
// 9.7.1 added the v2 API and its live spec; every /rest/v2 path is 404 before that.
const V2_SINCE = '9.7.1'

function notFoundPage (reply: FastifyReply): FastifyReply {
  return reply.code(404).header('content-type', 'text/html; charset=utf-8')
    .send('<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n<body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>\n')
}

/**
 * What a cluster serves besides the catalogued `/rest/v1` operations: the update progress file (static, no auth),
 * the support tunnel switches, and its own OpenAPI spec (v1 always, v2 from 9.7.1).
 */
export async function clusterRoutes (app: FastifyInstance, opts: ClusterRouteOptions): Promise<void> {
  const { sim, catalog, authenticate } = opts
  let spec: string | undefined

  app.get('/update/update_status.json', async function updateStatus (_request, reply) {
    const doc = sim.update.statusDocument()
    // A cluster that never updated has no such file: its web server answers 404 with an HTML page.
    if (doc === undefined) return notFoundPage(reply)
    return reply.code(200).header('content-type', JSON_TYPE).send(JSON.stringify(doc))
  })

  app.get('/rest/v1/openapi.json', async function liveSpec (request, reply) {
    authenticate(request.headers)
    spec ??= JSON.stringify(specFromCatalog(catalog))
    return reply.code(200).header('content-type', JSON_TYPE).send(spec)
  })

  app.get('/rest/v2/openAPI.json', async function liveSpecV2 (request, reply) {
    authenticate(request.headers)
    if (!versionAtLeast(String(sim.state.cluster().icosVersion), V2_SINCE)) return notFoundPage(reply)
    return reply.code(200).header('content-type', JSON_TYPE).send(JSON.stringify(emptyV2Spec()))
  })

  app.get('/support-api/check', async function tunnelCheck (request, reply) {
    authenticate(request.headers)
    return reply.code(200).header('content-type', JSON_TYPE).send(JSON.stringify({ tunnelOpen: sim.state.supportTunnel ?? false }))
  })

  app.get('/support-api/open', async function tunnelOpen (request, reply) {
    authenticate(request.headers)
    const raw = (request.query as Record<string, unknown>).code
    const code = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined
    if (code === undefined) throw badRequest('the query parameter code (the number Scale support gave you) is required')
    sim.state.supportTunnel = code
    sim.log.info({ code }, 'simulator support tunnel opened')
    return reply.code(200).send('')
  })

  app.get('/support-api/close', async function tunnelClose (request, reply) {
    authenticate(request.headers)
    sim.state.supportTunnel = undefined
    return reply.code(200).send('')
  })
}
