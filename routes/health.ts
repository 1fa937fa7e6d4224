import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { version } from '../src/paths.js'

/** What /health reports about the cluster side. */
export interface HealthOptions {
  mode: 'simulator' | 'cluster' | 'none'
  /** Host (and port) of the cluster; never credentials. */
  cluster: string | null
}

const HealthSchema = Type.Object({
  status: Type.Literal('ok'),
  version: Type.String(),
  mode: Type.Union([Type.Literal('simulator'), Type.Literal('cluster'), Type.Literal('none')], { description: 'simulator: the embedded fake cluster; cluster: a real one.' }),
  cluster: Type.Union([Type.String(), Type.Null()], { description: 'Host of the cluster, without credentials.' })
})

/** Public liveness route: `GET /health`. */
const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = async function healthRoutes (app, opts) {
  app.get('/health', {
    schema: {
      summary: 'Liveness and mode',
      description: 'Public. Says the server is up, its version, and whether it talks to the embedded simulator or a real cluster.',
      tags: ['Meta'],
      response: { 200: HealthSchema }
    }
  }, async function health () {
    return { status: 'ok' as const, version, mode: opts.mode, cluster: opts.cluster }
  })
}

export default healthRoutes
