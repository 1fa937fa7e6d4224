import closeWithGrace from 'close-with-grace'
import { pino, type Logger } from 'pino'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import type { Config } from './config.js'
import { loggerOptions } from './logger.js'
import { createRuntime } from './runtime.js'

/** A started server and how to stop it. */
export interface RunningServer {
  app: FastifyInstance
  url: string
  close: () => Promise<void>
}

/** Builds the runtime and the app, listens, and prints the start banner. */
export async function startServer (config: Config, log: Logger = pino(loggerOptions(config.logLevel))): Promise<RunningServer> {
  const runtime = await createRuntime(config, log)
  let app: FastifyInstance
  try {
    app = await buildApp(config, runtime, { logger: log })
    await app.listen({ host: config.host, port: config.port })
  } catch (err) {
    await runtime.close()
    throw err
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  const lines = [`scale-api-helper listening on ${url} (docs: ${url}/docs, OpenAPI: ${url}/openapi.json)`, ...runtime.banner]
  if (config.tokenGenerated) {
    // Printed once, on stdout rather than through the logger, so it never lands in a log pipeline's redacted fields.
    lines.push(
      'No MCP_BEARER_TOKEN is set, so this token was generated for this process only:',
      `  ${config.tokens[0] ?? ''}`,
      `Try: curl -s -X POST -H "Authorization: Bearer ${config.tokens[0] ?? ''}" -H "Content-Type: application/json" -d '{"query":"list VMs"}' ${url}/query_api`
    )
  }
  process.stdout.write(lines.join('\n') + '\n')
  return {
    app,
    url,
    async close () {
      // Fastify closes idle keep-alive sockets once, when close starts; a request that finishes during shutdown
      // leaves its socket open for the keep-alive timeout, so keep closing idle sockets until the server is down.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100)
      try {
        await app.close()
      } finally {
        clearInterval(sweep)
      }
      await runtime.close()
    }
  }
}

/** Starts the server and stops it gracefully on SIGINT/SIGTERM: in-flight requests finish, then exit 0. */
export async function runServer (config: Config): Promise<void> {
  const log = pino(loggerOptions(config.logLevel))
  const server = await startServer(config, log)
  closeWithGrace({ delay: 10_000 }, async function shutdown ({ signal, err }) {
    if (err !== undefined) log.error({ err }, 'shutting down after an error')
    else log.info({ signal }, 'shutting down')
    await server.close()
  })
}
