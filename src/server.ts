import type { Logger } from 'pino'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import type { Config } from './config/config.js'
import { createLogger } from './observe/logger.js'
import { stopOnSignals } from './faces/signals.js'
import { startMetricsServer } from './faces/metrics-server.js'
import { createRuntime } from './runtime.js'
import { buildSearchIndex } from './catalog/search.js'
import { warmUpLater } from './lib/warm-up.js'

/** A started server and how to stop it. */
export interface RunningServer {
  app: FastifyInstance
  url: string
  close: () => Promise<void>
}

/** Builds the runtime and the app, listens, and prints the start banner. */
export async function startServer (config: Config, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const runtime = await createRuntime(config, log)
  let app: FastifyInstance
  let metricsServer: { port: number, close: () => Promise<void> } | undefined
  try {
    app = await buildApp(config, runtime, { logger: log })
    await app.listen({ host: config.host, port: config.port })
    if (config.metricsPort !== undefined && runtime.metrics !== undefined) metricsServer = await startMetricsServer(runtime.metrics, config.host, config.metricsPort)
  } catch (err) {
    await runtime.close()
    throw err
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  const lines = [
    `scale-api-helper listening on ${url} (docs: ${url}/docs, OpenAPI: ${url}/openapi.json, MCP: ${url}/mcp)`,
    `Safety: SCALE_MODE=${config.safety.mode}${config.safety.mode === 'confirm' ? ` (destructive calls are confirmed by ${config.safety.confirmVia})` : ''}; audit in ${config.safety.auditFile === '-' ? 'standard output' : config.safety.auditFile}`,
    ...runtime.banner
  ]
  if (metricsServer !== undefined) lines.push(`Prometheus metrics: http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${metricsServer.port}/metrics (no token)`)
  if (config.tokenGenerated) {
    // Printed once, on stdout rather than through the logger, so it never lands in a log pipeline's redacted fields.
    lines.push(
      'No MCP_BEARER_TOKEN is set, so this token was generated for this process only:',
      `  ${config.tokens[0] ?? ''}`,
      `Try: curl -s -X POST -H "Authorization: Bearer ${config.tokens[0] ?? ''}" -H "Content-Type: application/json" -d '{"query":"list VMs"}' ${url}/query_api`
    )
  }
  process.stdout.write(framed(lines))
  // Built after the start: /health need not wait ~80 ms for it (a query_api before then builds it itself).
  warmUpLater(() => { buildSearchIndex(runtime.catalog) })
  return {
    app,
    url,
    async close () {
      // Calls waiting on cluster tasks answer now, each with its taskTag and a note, instead of being cut off.
      runtime.fleet.stopWaiting()
      // Fastify closes idle keep-alive sockets once, when close starts; a request that finishes during shutdown
      // leaves its socket open for the keep-alive timeout, so keep closing idle sockets until the server is down.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100)
      try {
        await app.close()
      } finally {
        clearInterval(sweep)
      }
      await metricsServer?.close()
      await runtime.close()
    }
  }
}

// The start banner in a frame, so the URL and the token stand out from the log lines around them.
function framed (lines: string[]): string {
  const rule = '='.repeat(Math.min(100, Math.max(...lines.map((l) => l.length))))
  return `\n${rule}\n${lines.join('\n')}\n${rule}\n\n`
}

/** How often a server that stops with its parent looks for it, in ms. */
export const PARENT_CHECK_MS = 500

/** How the server process is run. */
export interface RunOptions {
  /** Stop gracefully, as on SIGTERM, when the process that started this one goes away (under `npm start`). */
  stopWithParent?: boolean
}

/** Starts the server and stops it gracefully on SIGINT/SIGTERM: in-flight requests finish, then exit 0. SIGHUP reopens the audit file. */
export async function runServer (config: Config, opts: RunOptions = {}): Promise<void> {
  // Taken before the banner: whoever waits for it and then stops our parent must find the server watching.
  const parent = process.ppid
  const log = createLogger(config.logLevel)
  const server = await startServer(config, log)
  const { stop } = stopOnSignals(log, server.close)
  // Ctrl-C reaches the whole process group: the shell dies of it too, while we are already stopping (stop() is once).
  if (opts.stopWithParent === true) onParentGone(parent, () => { stop('the process that started the server has gone', { parentPid: parent }) })
}

// npm runs `npm start` as `sh -c "node dist/src/cli.js start"` and passes SIGTERM only to that shell. A shell that
// neither execs the command nor passes the signal on (dash, the sh of Debian and Ubuntu) dies and leaves the server
// running under PID 1, holding the port. The parent going away is the only sign of it the server can see.
function onParentGone (parent: number, gone: () => void): void {
  const timer = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(timer)
    gone()
  }, PARENT_CHECK_MS)
  timer.unref()
}
