import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ScaleMode } from '../src/gate/policy.js'
import { version } from '../src/paths.js'
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

/** Public liveness route: `GET /health`. */
const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions & { safety: ScaleMode }> = async function healthRoutes (app, opts) {
  app.get('/health', {
    schema: {
      // Served, not listed: bridges would turn it into a tool.
      hide: true,
      summary: 'Liveness and mode',
      description: 'Public. Says the server is up, its version, whether it talks to the embedded simulator or a real cluster, and the safety mode.',
      tags: ['Meta'],
      response: { 200: HealthSchema }
    }
  }, async function health () {
    return { status: 'ok' as const, version, mode: opts.mode, cluster: opts.cluster, safety: opts.safety }
  })
}

export default healthRoutes
