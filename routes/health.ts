import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ScaleMode } from '../src/gate/policy.js'
import { version } from '../src/paths.js'
import type { HyperCoreClient } from '../src/scale/client.js'
import { StringEnum } from '../src/schemas.js'

/** What /health reports about the cluster side. */
export interface HealthOptions {
  mode: 'simulator' | 'cluster' | 'none'
  /** Host (and port) of the cluster; never credentials. */
  cluster: string | null
}

const HealthSchema = Type.Object({
  status: StringEnum(['ok'], { description: 'Always ok while the server answers.' }),
  version: Type.String({ description: 'Our version.' }),
  mode: StringEnum(['simulator', 'cluster', 'none'], { description: 'simulator: the embedded fake cluster; cluster: a real one; none: no cluster.' }),
  cluster: Type.Union([Type.String(), Type.Null()], { description: 'Host of the cluster, without credentials.' }),
  safety: StringEnum(['read-only', 'confirm', 'full'], { description: 'SCALE_MODE: what reaches the cluster (read-only, confirm, full).' })
})

/**
 * Public health routes, served but not listed in the OpenAPI document: `GET /health` is liveness (the process
 * answers); `GET /health/ready` is readiness: 200 when the cluster answered recently (or answers a `/ping` now,
 * without logging in), 503 NOT_READY otherwise.
 */
const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions & { safety: ScaleMode, client?: HyperCoreClient }> = async function healthRoutes (app, opts) {
  app.get('/health', {
    schema: { hide: true, response: { 200: HealthSchema } }
  }, async function health () {
    return { status: 'ok' as const, version, mode: opts.mode, cluster: opts.cluster, safety: opts.safety }
  })

  app.get('/health/ready', { schema: { hide: true } }, async function ready (_request, reply) {
    if (opts.client === undefined) {
      return await reply.code(503).send({ code: 'NOT_READY', message: 'No cluster is configured.' })
    }
    const state = await opts.client.reachable()
    const cluster = { host: opts.cluster, ...(state.lastAnswerAt === undefined ? {} : { lastAnswerAt: state.lastAnswerAt.toISOString() }), ...(state.lastFailure === undefined ? {} : { lastFailure: { code: state.lastFailure.code, at: state.lastFailure.at.toISOString() } }) }
    if (!state.ok) {
      return await reply.code(503).send({ code: 'NOT_READY', message: `The cluster at ${opts.cluster ?? '?'} is not answering${state.lastFailure === undefined ? '' : ` (last failure: ${state.lastFailure.code})`}.`, details: cluster })
    }
    return { status: 'ready', mode: opts.mode, cluster }
  })
}

export default healthRoutes
