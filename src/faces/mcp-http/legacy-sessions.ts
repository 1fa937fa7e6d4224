import { randomUUID } from 'node:crypto'
import {
  isInitializeRequest, legacyStatelessFallback, WebStandardStreamableHTTPServerTransport,
  type AuthInfo, type LegacyHttpHandler, type Server
} from '@modelcontextprotocol/server'
import { AppError } from '../../errors/app-error.js'
import type { Caller } from '../../gate/identity.js'
import type { McpIdentity } from '../mcp/mcp-server.js'

/** How 2025-11-25 sessions are kept. */
export interface LegacySessionsOptions {
  /** A server for a new session (or for one session-less request). */
  build: (who: McpIdentity) => Server
  /** Sessions open at once (MCP_MAX_SESSIONS). */
  max: number
  /** Sessions one caller may have open at once (MCP_MAX_SESSIONS_PER_CALLER); defaults to `max`. */
  maxPerCaller?: number
  /** How long a session with nothing in flight and no open stream lives (MCP_SESSION_IDLE_MINUTES). */
  idleMs: number
  now: () => number
  onerror?: (err: Error) => void
}

interface Session {
  caller: Caller
  transport: WebStandardStreamableHTTPServerTransport
  server: Server
  lastUsed: number
  /** HTTP exchanges under way: answers being written and open GET streams. */
  active: number
}

/** The caller of an MCP HTTP request as the SDK carries it to the server factory (never the bearer token). */
export function authInfoFor (who: McpIdentity): AuthInfo {
  return { token: '', clientId: who.caller.name, scopes: [who.caller.role], extra: { who } }
}

/** The identity authInfoFor put in. */
export function identityOf (authInfo: AuthInfo | undefined): McpIdentity {
  const who = authInfo?.extra?.who as McpIdentity | undefined
  if (who === undefined) throw new Error('mcp: a request reached the server factory without its caller')
  return who
}

/**
 * The 2025-11-25 side of `/mcp`: `initialize` opens a session (`Mcp-Session-Id`) with its own server, bound to the
 * caller who opened it; only that caller may use it (anyone else gets the same 404 as for an unknown id). A session
 * ends on DELETE, at shutdown, or after `idleMs` with nothing in flight and no open stream. A caller at
 * `maxPerCaller` sessions makes room among its own; at `max` sessions in all, the caller's own least recently used
 * idle session makes room first, and only a caller with none idle ends someone else's (the least recently used idle
 * one), so one caller opening many sessions cannot end another's. When no session that may make room is idle, a new
 * one is refused (503) rather than cutting off a client that is still there. A 2025 POST without a session is served
 * once, statelessly.
 * The SDK gives the transport; the map, the caller binding and these limits are ours.
 */
export class LegacySessions {
  readonly #sessions = new Map<string, Session>()
  readonly #opts: LegacySessionsOptions
  readonly #stateless: LegacyHttpHandler

  constructor (opts: LegacySessionsOptions) {
    this.#opts = opts
    this.#stateless = legacyStatelessFallback(({ authInfo }) => opts.build(identityOf(authInfo)), opts.onerror)
  }

  /** Sessions open now. */
  get size (): number {
    return this.#sessions.size
  }

  /** Serves one 2025-era request; `done` settles when its HTTP exchange is over (answer written or client gone). */
  async handle (req: Request, body: unknown, who: McpIdentity, done: Promise<void>): Promise<Response> {
    const id = req.headers.get('mcp-session-id')
    const authInfo = authInfoFor(who)
    if (id !== null) {
      const session = this.#live(id)
      if (session === undefined || session.caller.name !== who.caller.name) {
        throw new AppError('MCP_SESSION_NOT_FOUND', 'This MCP session does not exist (it ended, was idle too long, or was opened by another caller); connect again.')
      }
      this.#track(session, done)
      return await session.transport.handleRequest(req, { parsedBody: body, authInfo })
    }
    if (req.method === 'POST' && isInitializeRequest(body)) return await this.#open(req, body, who, done)
    if (req.method === 'POST') return await this.#stateless(req, { parsedBody: body, authInfo })
    throw new AppError('MCP_SESSION_REQUIRED', `${req.method} /mcp needs the Mcp-Session-Id header that initialize answered with.`)
  }

  /** Ends every session that has been idle too long; returns how many. */
  sweep (): number {
    let ended = 0
    for (const [id, session] of this.#sessions) {
      if (this.#expired(session)) {
        this.#end(id, session)
        ended++
      }
    }
    return ended
  }

  /** Ends every session (shutdown). */
  async closeAll (): Promise<void> {
    const all = [...this.#sessions.entries()]
    this.#sessions.clear()
    await Promise.all(all.map(async ([, session]) => { await session.server.close().catch(() => {}) }))
  }

  async #open (req: Request, body: unknown, who: McpIdentity, done: Promise<void>): Promise<Response> {
    this.sweep()
    this.#makeRoom(who.caller)
    const server = this.#opts.build(who)
    const session: Session = { caller: who.caller, server, transport: undefined as unknown as WebStandardStreamableHTTPServerTransport, lastUsed: this.#opts.now(), active: 0 }
    session.transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => { this.#sessions.set(id, session) },
      onsessionclosed: (id) => { this.#sessions.delete(id) }
    })
    await server.connect(session.transport)
    this.#track(session, done)
    const response = await session.transport.handleRequest(req, { parsedBody: body, authInfo: authInfoFor(who) })
    // A refused initialize opens nothing.
    if (session.transport.sessionId === undefined) await server.close().catch(() => {})
    return response
  }

  #makeRoom (caller: Caller): void {
    const perCaller = Math.min(this.#opts.maxPerCaller ?? this.#opts.max, this.#opts.max)
    const own = [...this.#sessions].filter(([, session]) => session.caller.name === caller.name)
    if (own.length >= perCaller) {
      const oldest = leastRecentlyUsedIdle(own)
      if (oldest === undefined) {
        throw new AppError('MCP_SESSION_LIMIT', `You have ${perCaller} MCP sessions open, each with a live connection (MCP_MAX_SESSIONS_PER_CALLER); close one (DELETE /mcp), try again later, or use a client that speaks 2026-07-28 (no sessions).`)
      }
      this.#end(...oldest)
      return
    }
    if (this.#sessions.size < this.#opts.max) return
    const oldest = leastRecentlyUsedIdle(own) ?? leastRecentlyUsedIdle(this.#sessions)
    if (oldest === undefined) {
      throw new AppError('MCP_SESSION_LIMIT', `${this.#opts.max} MCP sessions are open, each with a live connection (MCP_MAX_SESSIONS); try again later, or use a client that speaks 2026-07-28 (no sessions).`)
    }
    this.#end(...oldest)
  }

  #live (id: string): Session | undefined {
    const session = this.#sessions.get(id)
    if (session === undefined || !this.#expired(session)) return session
    this.#end(id, session)
    return undefined
  }

  #expired (session: Session): boolean {
    return session.active === 0 && this.#opts.now() - session.lastUsed > this.#opts.idleMs
  }

  #track (session: Session, done: Promise<void>): void {
    session.active++
    session.lastUsed = this.#opts.now()
    done.then(() => {
      session.active--
      session.lastUsed = this.#opts.now()
    }, () => {})
  }

  #end (id: string, session: Session): void {
    this.#sessions.delete(id)
    session.server.close().catch((err: unknown) => { this.#opts.onerror?.(err as Error) })
  }
}

function leastRecentlyUsedIdle (sessions: Iterable<[string, Session]>): [string, Session] | undefined {
  let oldest: [string, Session] | undefined
  for (const entry of sessions) {
    if (entry[1].active === 0 && (oldest === undefined || entry[1].lastUsed < oldest[1].lastUsed)) oldest = entry
  }
  return oldest
}
