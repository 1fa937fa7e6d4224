import type { FastifyPluginAsync } from 'fastify'
import type { Metrics } from '../src/observe/metrics.js'

/** Options of the metrics route. */
export interface MetricsRoutesOptions {
  metrics: Metrics
}

/** `GET /metrics`: Prometheus metrics for any authenticated caller (METRICS_PORT serves them without a token). */
const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async function metricsRoutes (app, opts) {
  app.get('/metrics', { schema: { hide: true } }, async function metrics (_request, reply) {
    return await reply.header('content-type', opts.metrics.registry.contentType).send(await opts.metrics.text())
  })
}

export default metricsRoutes
