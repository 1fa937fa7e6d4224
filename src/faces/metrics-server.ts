import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AppError, errorBody } from '../errors/app-error.js'
import type { Metrics } from '../observe/metrics.js'

/** A listener that serves only `GET /metrics`, without a token, for a scraper on a separate port (METRICS_PORT). */
export async function startMetricsServer (metrics: Metrics, host: string, port: number): Promise<{ port: number, close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      answer(res, new AppError('NOT_FOUND', 'This port serves GET /metrics only.'))
      return
    }
    metrics.text().then((text) => {
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text)
    }, () => {
      answer(res, new AppError('INTERNAL_ERROR', 'Metrics could not be collected.'))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    async close () {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function answer (res: ServerResponse, err: AppError): void {
  res.writeHead(err.statusCode, { 'content-type': 'application/json' }).end(JSON.stringify(errorBody(err)))
}
