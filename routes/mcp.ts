import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { Catalog } from '../src/catalog/catalog.js'
import type { Config } from '../src/config/config.js'
import type { McpHttpFace } from '../src/faces/mcp-http/face.js'
import type { HostAllowList } from '../src/faces/mcp-http/host-check.js'
import type { Gate } from '../src/gate/gate.js'
import { exchangeOf } from './exchange.js'
import { warmUpLater } from '../src/lib/warm-up.js'

/** Options of the MCP route. */
export interface McpRoutesOptions {
  gate: Gate
  catalog: Catalog
  config: Pick<Config, 'host' | 'publicUrl' | 'corsOrigins' | 'mcp' | 'safety'>
  /** The clock of session expiry (tests move it by hand). */
  now?: () => number
}

// The MCP face once its modules are loaded, with the Host/Origin check that guards it.
interface LoadedFace {
  face: McpHttpFace
  allow: HostAllowList
  check: (host: string | undefined, origin: string | undefined, allow: HostAllowList) => void
}

// Headers the SDK never needs: the bearer token and cookies stay out of its request objects.
const DROPPED_HEADERS = new Set(['authorization', 'cookie'])

/**
 * `POST/GET/DELETE /mcp`: MCP Streamable HTTP, registered in the protected scope so the bearer auth and caller
 * identity are the tool routes' own, with Host and Origin checked against the allow-list (403). Both protocol eras
 * are served here (see src/faces/mcp-http/face.ts); on close, running calls are told to stop waiting and answer first.
 */
const mcpRoutes: FastifyPluginAsync<McpRoutesOptions> = async function mcpRoutes (app, opts) {
  const gate = async (): Promise<Gate> => opts.gate
  let sweeper: NodeJS.Timeout | undefined
  // The MCP SDK (and zod under it) is a fifth of the start time: loaded soon after the server listens, or by the first
  // /mcp request if that comes sooner, so /health and the tool routes answer without waiting for it.
  let loading: Promise<LoadedFace> | undefined
  const load = async (): Promise<LoadedFace> => await (loading ??= (async () => {
    const [{ McpHttpFace }, { checkHostAndOrigin, hostAllowList }, { askOptions }] = await Promise.all([
      import('../src/faces/mcp-http/face.js'),
      import('../src/faces/mcp-http/host-check.js'),
      import('../src/faces/mcp/ask-person.js')
    ])
    const face = new McpHttpFace({
      deps: { gate, catalog: async () => opts.catalog, log: app.log, ask: askOptions(opts.config.safety, gate) },
      maxSessions: opts.config.mcp.maxSessions,
      maxSessionsPerCaller: opts.config.mcp.maxSessionsPerCaller,
      sessionIdleMs: opts.config.mcp.sessionIdleMs,
      now: opts.now
    })
    sweeper = setInterval(() => face.sweep(), Math.min(opts.config.mcp.sessionIdleMs, 60_000))
    sweeper.unref()
    return { face, allow: hostAllowList(opts.config), check: checkHostAndOrigin }
  })())

  app.addHook('onListen', async function loadMcp () {
    warmUpLater(() => { load().catch((err: unknown) => { app.log.error({ err }, 'the MCP face could not be loaded') }) })
  })

  app.addHook('onRequest', async function mcpHostCheck (request) {
    const { check, allow } = await load()
    check(request.headers.host, request.headers.origin, allow)
  })

  app.route({
    method: ['POST', 'GET', 'DELETE'],
    url: '/mcp',
    schema: { hide: true },
    async handler (request, reply) {
      const { caller, baseUrl, signal, done } = exchangeOf(request, reply)
      const { face } = await load()
      const response = await face.handle(webRequest(request, signal), request.method === 'POST' ? request.body : undefined, { caller, transport: 'mcp', baseUrl }, done)
      return await reply.send(openAtOnce(response))
    }
  })

  // preClose, not onClose: an open GET stream would otherwise keep the HTTP server from closing.
  app.addHook('preClose', async function closeMcp () {
    clearInterval(sweeper)
    if (loading !== undefined) await (await loading).face.close()
  })
}

// Node sends the status line and headers with the first body bytes, and an event stream may stay silent for a long
// time (a GET stream, a long call without progress): a comment line, which event-stream readers skip, opens it now.
const OPENING = new TextEncoder().encode(': open\n\n')
function openAtOnce (response: Response): Response {
  if (response.body === null || response.headers.get('content-type')?.startsWith('text/event-stream') !== true) return response
  const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ start (controller) { controller.enqueue(OPENING) } }))
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
}

function webRequest (request: FastifyRequest, signal: AbortSignal): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || DROPPED_HEADERS.has(name)) continue
    headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  }
  // A fixed origin: the SDK reads only the path and headers, and a hostile Host must never make `new Request` throw.
  return new Request(new URL(request.url, 'http://mcp.invalid'), { method: request.method, headers, signal })
}

export default mcpRoutes
