import { AppError } from '../errors/app-error.js'
import type { Log } from '../observe/logger.js'
import { isValidSessionId, SessionStore, type Session } from './session-store.js'
import type { Exchange, RawResponse, Transport } from './transport.js'
import { apiError, mapTransportError, summarise } from './upstream-errors.js'

/** What may be said about the session: never the ID itself beyond its last 4 characters. */
export interface SessionInfo {
  active: boolean
  /** Host (and port) of the cluster as configured. */
  cluster: string
  /** Host (and port) of the node calls go to now (one session serves every node). */
  node: string
  createdAt?: Date
  lastUsedAt?: Date
  /** `…` and the last 4 characters of the session ID. */
  idHint?: string
}

/** The account one cluster connection logs in with. */
export interface Credentials {
  username: string
  password: string
  auth: 'local' | 'oidc'
}

/** What the session layer is built from. */
export interface SessionOptions {
  credentials: Credentials
  /** The cluster's origin; the session file records it, so a file for another cluster is ignored. */
  url: string
  /** Where the session is kept across restarts; undefined keeps it in memory only. */
  sessionFile?: string | undefined
  transport: Pick<Transport, 'send' | 'site'>
  /** Host (and port) of the cluster, for messages and logs. */
  host: string
  /** Host (and port) of the node calls go to now. */
  node: () => string
  log: Log
  /** Hears every login as it succeeds or fails (metrics, node discovery). */
  onLogin: (ok: boolean) => void
}

// Persisting lastUsedAt on every call would be a disk write per call; once a minute is plenty for get_session.
const TOUCH_PERSIST_MS = 60_000

/**
 * The login session of one cluster connection: single-flight login, one re-login on a 401, logout, and the session
 * kept in a 0600 file across restarts. The session ID and the password never leave this object except on the wire.
 */
export class SessionKeeper {
  readonly #opts: SessionOptions
  readonly #store: SessionStore
  readonly #loaded: Promise<void>
  #session: Session | undefined
  #login: Promise<Session> | undefined
  #persistedUseAt = 0
  // Bumped by logout: a login that started before it must not install its session afterwards.
  #epoch = 0

  constructor (opts: SessionOptions) {
    this.#opts = opts
    this.#store = new SessionStore(opts.sessionFile, opts.url, opts.credentials.username, opts.log)
    this.#loaded = this.#store.load().then((session) => {
      if (session !== undefined && this.#session === undefined) {
        this.#session = session
        this.#persistedUseAt = session.lastUsedAt.getTime()
        opts.log.info({ cluster: opts.host }, 'reusing the stored cluster session')
      }
    }, () => {})
  }

  /** Sends with the session: logs in when there is none, and once more when the cluster answers 401. */
  async authed (ex: Exchange): Promise<RawResponse> {
    await this.#loaded
    const { site } = ex
    let session = this.#session ?? await this.#relogin(undefined)
    let raw = await this.#opts.transport.send(withSession(ex, session.id))
    if (raw.status === 401) {
      this.#opts.log.info({ cluster: this.#opts.host }, 'the cluster rejected the session (401); logging in again')
      session = await this.#relogin(session.id)
      raw = await this.#opts.transport.send(withSession(ex, session.id))
      if (raw.status === 401) {
        throw new AppError('SCALE_AUTH_FAILED',
          `The cluster rejected a freshly created session for ${site.method} ${site.path} (401). The account "${this.#opts.credentials.username}" may lack access to it, or the cluster is refusing sessions.`,
          { details: { status: 401, body: raw.data } })
      }
    }
    this.#touch(session)
    return raw
  }

  /** Sends with HTTP Basic credentials and no session (real clusters accept Basic on every call). */
  async basic (ex: Exchange): Promise<RawResponse> {
    const { username, password } = this.#opts.credentials
    return await this.#opts.transport.send({ ...ex, headers: { ...ex.headers, authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` } })
  }

  /** Logs in now, replacing any session (the old one is logged out on the cluster, best effort). */
  async login (): Promise<SessionInfo> {
    await this.#loaded
    const old = this.#session
    const session = await (this.#login ?? this.#startLogin())
    if (old !== undefined && old.id !== session.id) await this.#logoutQuietly(old)
    return this.#info(session)
  }

  /** Logs out on the cluster and forgets the session; fine when there is none. Returns a note when the cluster could not be told. */
  async logout (): Promise<{ note?: string }> {
    await this.#loaded
    const session = this.#session
    this.#session = undefined
    this.#epoch++
    await this.#store.remove()
    if (session === undefined) return {}
    const site = this.#opts.transport.site('POST', '/logout')
    try {
      const res = await this.#opts.transport.send({ method: 'POST', upstreamPath: '/rest/v1/logout', site, headers: cookie(session.id) })
      this.#opts.log.info({ cluster: this.#opts.host, status: res.status }, 'logged out of the cluster')
      return {}
    } catch (err) {
      const mapped = err instanceof AppError ? err : mapTransportError(err, site)
      this.#opts.log.warn({ cluster: this.#opts.host, code: mapped.code }, 'could not log out on the cluster; the session was forgotten here')
      return { note: `The session was forgotten here, but the cluster could not be told (${mapped.code}); it ends there when it expires.` }
    }
  }

  /** The current session's description (no ID beyond its last 4 characters); never logs in. */
  async info (): Promise<SessionInfo> {
    await this.#loaded
    return this.#info(this.#session)
  }

  /** One cheap authenticated call with the current session and no re-login: see HyperCoreClient.verify. */
  async verify (): Promise<boolean | undefined> {
    await this.#loaded
    const session = this.#session
    if (session === undefined) return undefined
    const site = this.#opts.transport.site('GET', '/Cluster')
    const raw = await this.#opts.transport.send({ method: 'GET', upstreamPath: '/rest/v1/Cluster', site, headers: cookie(session.id) })
    if (raw.status === 401) {
      if (this.#session === session) {
        this.#session = undefined
        await this.#store.remove()
      }
      return false
    }
    if (raw.status < 200 || raw.status > 299) throw apiError(site, raw.status, raw.data)
    this.#touch(session)
    return true
  }

  /** The password and the live session ID, so answers echoing them can be masked. */
  secrets (): string[] {
    const secrets = [this.#opts.credentials.password]
    if (this.#session !== undefined) secrets.push(this.#session.id)
    return secrets
  }

  /** Resolves once the stored session was read and every write of the session file has finished. */
  async flush (): Promise<void> {
    await this.#loaded.catch(() => {})
    await this.#store.flush()
  }

  // Single-flight: every caller whose session went stale shares one login; callers that arrive after it finished
  // see the new session and use it directly.
  async #relogin (staleId: string | undefined): Promise<Session> {
    const current = this.#session
    if (current !== undefined && current.id !== staleId) return current
    if (current !== undefined) this.#session = undefined
    return await (this.#login ?? this.#startLogin())
  }

  #startLogin (): Promise<Session> {
    const login = this.#doLogin().then((session) => {
      this.#opts.onLogin(true)
      return session
    }, (err: unknown) => {
      this.#opts.onLogin(false)
      throw err
    }).finally(() => {
      if (this.#login === login) this.#login = undefined
    })
    this.#login = login
    return login
  }

  async #doLogin (): Promise<Session> {
    const { username, password, auth } = this.#opts.credentials
    const { host, transport, log } = this.#opts
    const epoch = this.#epoch
    const site = transport.site('POST', '/login')
    const raw = await transport.send({ method: 'POST', upstreamPath: '/rest/v1/login', body: { username, password, useOIDC: auth === 'oidc' }, site })
    if (raw.status === 401 || raw.status === 403) {
      const said = this.#scrub(summarise(raw.data))
      throw new AppError('SCALE_AUTH_FAILED',
        `The cluster at ${host} rejected the login for user "${username}" (HTTP ${raw.status}${said === '' ? '' : `: ${said}`}). ` +
        `Check SCALE_USERNAME and SCALE_PASSWORD (or SCALE_PASSWORD_FILE)${auth === 'oidc' ? ' and that the user can sign in through OIDC (SCALE_AUTH=oidc)' : ', and SCALE_AUTH=oidc if the account is an OIDC one'}.`,
        { details: { status: raw.status, username } })
    }
    const { data } = raw
    if (raw.status < 200 || raw.status > 299) {
      throw apiError(site, raw.status, typeof data === 'string' ? this.#scrub(data) : data)
    }
    const id = sessionIdFrom(data, raw.headers['set-cookie'])
    if (!isValidSessionId(id)) {
      throw new AppError('SCALE_BAD_RESPONSE', `The cluster at ${host} accepted the login but sent no usable session ID (no sessionID in the body or cookie).`)
    }
    const now = new Date()
    const session: Session = { id, createdAt: now, lastUsedAt: now }
    if (epoch !== this.#epoch) {
      // kill_session ran while this login was in flight: its answer must hold, so this session is ended, not kept.
      await this.#logoutQuietly(session)
      throw new AppError('SCALE_SESSION_ENDED', 'The cluster session was ended (kill_session) while this call was logging in, so the call was not made. Call again to log in anew.')
    }
    this.#session = session
    this.#persistedUseAt = now.getTime()
    log.info({ cluster: host, username }, 'logged in to the cluster')
    await this.#store.save(() => this.#session)
    return session
  }

  async #logoutQuietly (session: Session): Promise<void> {
    try {
      await this.#opts.transport.send({ method: 'POST', upstreamPath: '/rest/v1/logout', site: this.#opts.transport.site('POST', '/logout'), headers: cookie(session.id) })
    } catch {
      // The replaced session expires on the cluster by itself.
    }
  }

  #touch (session: Session): void {
    const now = new Date()
    session.lastUsedAt = now
    if (this.#session === session && now.getTime() - this.#persistedUseAt >= TOUCH_PERSIST_MS) {
      this.#persistedUseAt = now.getTime()
      this.#store.save(() => this.#session).catch(() => {})
    }
  }

  #info (session: Session | undefined): SessionInfo {
    const { host: cluster } = this.#opts
    const node = this.#opts.node()
    if (session === undefined) return { active: false, cluster, node }
    return { active: true, cluster, node, createdAt: session.createdAt, lastUsedAt: session.lastUsedAt, idHint: `…${session.id.slice(-4)}` }
  }

  // Login error texts come from the cluster; make sure they cannot carry the password back to a caller.
  #scrub (text: string): string {
    const { password } = this.#opts.credentials
    return password === '' ? text : text.split(password).join('[redacted]')
  }
}

function cookie (sessionId: string): Record<string, string> {
  return { cookie: `sessionID=${sessionId}` }
}

function withSession (ex: Exchange, sessionId: string): Exchange {
  return { ...ex, headers: { ...ex.headers, ...cookie(sessionId) } }
}

function sessionIdFrom (data: unknown, setCookie: string | string[] | undefined): string | undefined {
  if (data !== null && typeof data === 'object' && typeof (data as { sessionID?: unknown }).sessionID === 'string') {
    return (data as { sessionID: string }).sessionID
  }
  for (const cookie of Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie]) {
    const match = /(?:^|;\s*)sessionID=([^;]*)/.exec(cookie)
    if (match?.[1] !== undefined && match[1] !== '') return match[1]
  }
  return undefined
}
