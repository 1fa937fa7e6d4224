import { setTimeout as delay } from 'node:timers/promises'
import { createMcpHandler, isLegacyRequest, type McpHttpHandler } from '@modelcontextprotocol/server'
import { AppError } from '../../errors/app-error.js'
import { LegacySessions, authInfoFor, identityOf } from './legacy-sessions.js'
import { buildMcpServer, type McpDeps, type McpIdentity } from '../mcp/mcp-server.js'
import { ModernCalls } from './modern-calls.js'
import { sharedAbortController } from '../../lib/abort.js'

/** What the Streamable HTTP face is built from. */
export interface McpHttpFaceOptions {
  deps: Omit<McpDeps, 'shutdown'>
  /** 2025-11-25 sessions open at once. */
  maxSessions: number
  /** 2025-11-25 sessions one caller may have open at once. */
  maxSessionsPerCaller?: number
  /** Idle lifetime of a 2025-11-25 session. */
  sessionIdleMs: number
  now?: () => number
}

// At shutdown, how long answers still being written (a call told to stop waiting) may take before streams close.
const DRAIN_MS = 2000

/**
 * MCP Streamable HTTP, framework-free (web Request in, web Response out), both protocol eras on one endpoint:
 * a request carrying the 2026-07-28 envelope goes to the SDK's stateless handler (a fresh server per request);
 * anything else is 2025-era and goes to our sessions. The caller comes from our own bearer auth, never from the SDK.
 * A 2026-07-28 request is cancelled when its stream closes, or by a `notifications/cancelled` the same caller POSTs.
 */
export class McpHttpFace {
  readonly #modern: McpHttpHandler
  readonly #legacy: LegacySessions
  readonly #calls = new ModernCalls()
  readonly #log: McpDeps['log']
  readonly #shutdown = sharedAbortController()
  // POST answers still being written; GET streams never end by themselves, so they are not waited for.
  readonly #answering = new Set<Promise<void>>()
  #closing = false

  constructor (opts: McpHttpFaceOptions) {
    const deps: McpDeps = { ...opts.deps, shutdown: this.#shutdown.signal }
    this.#log = opts.deps.log
    const onerror = (err: Error): void => { opts.deps.log.debug({ err: err.message }, 'mcp transport error') }
    this.#modern = createMcpHandler(({ authInfo }) => buildMcpServer(deps, identityOf(authInfo)), { legacy: 'reject', onerror })
    this.#legacy = new LegacySessions({
      build: (who) => buildMcpServer(deps, who),
      max: opts.maxSessions,
      ...(opts.maxSessionsPerCaller === undefined ? {} : { maxPerCaller: opts.maxSessionsPerCaller }),
      idleMs: opts.sessionIdleMs,
      now: opts.now ?? Date.now,
      onerror
    })
  }

  /** 2025-11-25 sessions open now. */
  get sessions (): number {
    return this.#legacy.size
  }

  /** Serves one request for an authenticated caller; `done` settles when the HTTP exchange is over. Throws AppError. */
  async handle (req: Request, parsed: unknown, who: McpIdentity, done: Promise<void>): Promise<Response> {
    // After close() the SDK handler throws, which would be a 500.
    if (this.#closing) throw new AppError('SHUTTING_DOWN', 'The server is shutting down; connect again once it is back.')
    const body = Array.isArray(parsed) ? parsed.map(nullArgumentsAbsent) : nullArgumentsAbsent(parsed)
    if (req.method === 'POST') {
      this.#answering.add(done)
      done.then(() => { this.#answering.delete(done) }, () => {})
    }
    if (await isLegacyRequest(req, body)) return await this.#legacy.handle(req, body, who, done)
    if (this.#calls.cancel(who.caller.name, body)) this.#log.debug({ caller: who.caller.name }, 'mcp request cancelled by notifications/cancelled')
    const signal = this.#calls.track(who.caller.name, body, req.signal, done)
    return await this.#modern.fetch(signal === req.signal ? req : new Request(req, { signal }), { authInfo: authInfoFor(who), parsedBody: body })
  }

  /** Ends idle 2025 sessions (also done whenever one is opened or looked up). */
  sweep (): number {
    return this.#legacy.sweep()
  }

  /** Stops taking requests, tells running calls to stop waiting, lets their answers out (bounded), then closes everything. */
  async close (): Promise<void> {
    if (this.#closing) return
    this.#closing = true
    this.#shutdown.abort()
    await Promise.race([Promise.all([...this.#answering]), delay(DRAIN_MS, undefined, { ref: false })])
    await this.#modern.close()
    await this.#legacy.closeAll()
  }
}

// `"arguments": null` is what some hosts send for a tool without arguments; the SDK would refuse it (-32602), and
// the gate takes absent arguments as {}.
function nullArgumentsAbsent (message: unknown): unknown {
  if (typeof message !== 'object' || message === null) return message
  const { method, params } = message as { method?: unknown, params?: unknown }
  if (method !== 'tools/call' || typeof params !== 'object' || params === null || (params as { arguments?: unknown }).arguments !== null) return message
  const { arguments: _absent, ...rest } = params as Record<string, unknown>
  return { ...message, params: rest }
}
