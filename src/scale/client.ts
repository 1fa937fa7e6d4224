import { Agent } from 'undici'
import { MAX_JSON_DEPTH, measureJson } from '../json-limits.js'
import type { ClusterObserver } from '../metrics.js'
import { AnswerMemory } from './answer-memory.js'
import type { ClusterConfig } from '../config.js'
import { AppError } from '../errors.js'
import type { Log } from '../logger.js'
import { checkMethod, canonicalTarget, type ApiMethod, type ApiTarget, type QueryParams } from './canonical-path.js'
import { isValidSessionId, SessionStore, type Session } from './session-store.js'
import { ClusterNodes, failoverPolicy, hostOf, type FailoverPolicy } from './nodes.js'
import { buildTlsConnector, isConnectFailure, ScaleTlsError, tlsPolicyFor } from './tls.js'
import { apiError, errorCode, isConnectionReset, mapTransportError, summarise, type CallSite } from './upstream-errors.js'
import { UPDATE_STATUS_PATH, UpdateWatcher, type StatusReading, type UpdateStatus } from './update-status.js'

/** Options besides the cluster configuration. */
export interface HyperCoreClientOptions {
  log?: Log
  /** Most sockets kept open to the cluster at once (default 16); more calls wait for one within their deadline. */
  connections?: number
  /** Answer bytes held in memory at once across calls (default 256 MiB); a read beyond it answers SCALE_BUSY. */
  bufferedBytes?: number
  /** Hears every call and login (metrics). */
  observer?: ClusterObserver
  /** The clock task waits run on (tests pass one that jumps instead of sleeping). */
  clock?: WaitClock
  /** Delays between task polls in ms; the last one repeats (default 100, 250, 500, then every 1000). */
  taskPollDelaysMs?: number[]
  /** How cluster updates are watched for (tests shorten these). */
  updateWatch?: UpdateWatchOptions
  /** Learn the nodes' addresses (`GET /Node` → lanIP) after each login, to fail over to them (default false; the server turns it on). */
  discoverNodes?: boolean
}

/** Timings of the update watch; every one is capped by the call deadline (SCALE_TIMEOUT_MS). */
export interface UpdateWatchOptions {
  /** A reading of the update status file is reused for this long (default 5000). */
  cacheMs?: number
  /** A read still unanswered after this long makes the client look at the update status file (default 5000, at most half the deadline). */
  suspectAfterMs?: number
  /** The deadline of reads while an update is known to run (default 5000). */
  readDeadlineMs?: number
  /** The deadline of one read of the status file itself (default 5000). */
  statusDeadlineMs?: number
}

/** Time as task waits (and the update status cache) see it. */
export interface WaitClock {
  now: () => number
  /** Resolves after `ms`, or as soon as one of the signals is aborted. */
  sleep: (ms: number, signals: AbortSignal[]) => Promise<void>
}

/** A 2xx answer from the cluster. */
export interface ApiResponse {
  status: number
  /** Parsed JSON when the body is JSON, the text otherwise, null when empty. */
  data: unknown
  /** False when the body was not JSON and `data` is its text. */
  json: boolean
  /** Size of the body as received, in bytes. */
  bytes: number
  /** Host (and port) of the node that answered: the configured one, or another after a failover. */
  node: string
}

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

/** Where a HyperCore task stands. */
export interface TaskStatus {
  taskTag: string
  /** QUEUED, RUNNING, COMPLETE, ERROR, UNINITIALIZED, or UNKNOWN when the cluster reported nothing yet. */
  state: string
  progressPercent: number
  /** The cluster's message when the task failed. */
  error?: string
  /** True when the wait ran out before the task finished. */
  timedOut: boolean
  /** Why the wait stopped early: the server is shutting down, or the caller went away. The task goes on. */
  interrupted?: 'shutdown' | 'cancelled'
}

/** What a cluster says about itself. */
export interface SelfDescription {
  /** `GET /Cluster` → icosVersion, e.g. 9.7.4.225310: what features are gated on. */
  icosVersion?: string
  /** The live `/rest/v1/openapi.json`, parsed. */
  spec: Record<string, unknown>
  /** On 9.7.1 and later: the `/rest/v2/openAPI.json` answer, by its number of paths (the catalogue covers /rest/v1 only). */
  v2?: { paths: number }
  /** The node that answered. */
  node: string
}

// The only paths selfDescription reads: fixed here, never taken from a caller.
const DESCRIBING_PATHS = { cluster: '/rest/v1/Cluster', spec: '/rest/v1/openapi.json', v2: '/rest/v2/openAPI.json' } as const
const V2_SINCE = [9, 7, 1]

/** Options of one call. */
export interface CallOptions {
  body?: unknown
  params?: QueryParams
  /** Aborted when the caller goes away: the request is abandoned (a change may still happen on the cluster). */
  signal?: AbortSignal
}

const TERMINAL_STATES = new Set(['COMPLETE', 'ERROR', 'UNINITIALIZED'])
const FAILED_STATES = new Set(['ERROR', 'UNINITIALIZED'])
// Persisting lastUsedAt on every call would be a disk write per call; once a minute is plenty for get_session.
const TOUCH_PERSIST_MS = 60_000
/** The largest answer accepted from the cluster (a 5,000-VM list is about 11 MiB). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024
const NOOP_LOG: Log = { debug () {}, info () {}, warn () {}, error () {} }

/** One answer as received and parsed. */
interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON, the text when it is not JSON, null when empty. */
  data: unknown
  json: boolean
  bytes: number
  /** Why the body cannot be the JSON it claims to be (invalid, nested too deep), or an HTML page. */
  problem?: string
  /** Host (and port) of the node that answered. */
  node: string
}

// Why a request was aborted: its deadline passed, or the caller went away.
const DEADLINE = Symbol('deadline')
const CALLER_GONE = Symbol('caller gone')

/**
 * The HyperCore REST client: one keep-alive connection pool per cluster, TLS checked as configured, every failure
 * mapped once to our error shape, and the login session handled (single-flight login, one re-login on 401,
 * persisted to a 0600 file). The session ID and password never leave this object except on the wire to the cluster.
 */
export class HyperCoreClient {
  /** Host (and port) of the cluster, for display; never credentials. */
  readonly host: string
  /** The cluster's origin, e.g. `https://10.0.0.5`. */
  readonly url: string
  /** Which node addresses calls may move to (SCALE_NODES always; those from `GET /Node` only when every node proves itself). */
  readonly failover: FailoverPolicy
  readonly #config: ClusterConfig
  readonly #dispatcher: Agent
  readonly #log: Log
  readonly #store: SessionStore
  readonly #pollDelays: number[]
  readonly #memory: AnswerMemory
  readonly #observer: ClusterObserver | undefined
  readonly #clock: WaitClock
  readonly #nodes: ClusterNodes
  readonly #discover: boolean
  #discovery: Promise<string[]> | undefined
  #discoveredAt: number | undefined
  readonly #watcher: UpdateWatcher
  readonly #updateTimes: Required<UpdateWatchOptions>
  // An update runs and the API misbehaves: changes are refused at once, reads get a short deadline. Set only when a
  // call hung or answered 502 and the status file then said an update runs; cleared by a normal answer or an idle file.
  #updateMode = false
  // When a read sent in update mode last failed the way an update makes calls fail (client clock). Within cacheMs of
  // it, reads answer CLUSTER_UPDATING at once: one read per period finds out whether the API is back.
  #probeFailedAt: number | undefined
  #lastAnswerAt: number | undefined
  #lastFailure: { code: string, at: number } | undefined
  #probe: Promise<boolean> | undefined
  #probedAt = 0
  // Aborted when shutdown begins: task waits stop early so their callers get an answer before the server goes.
  readonly #stopping = new AbortController()
  readonly #loaded: Promise<void>
  #session: Session | undefined
  #login: Promise<Session> | undefined
  #persistedUseAt = 0
  #closed = false
  // Bumped by logout: a login that started before it must not install its session afterwards.
  #epoch = 0

  constructor (config: ClusterConfig, opts: HyperCoreClientOptions = {}) {
    this.#config = config
    this.url = new URL(config.url).origin
    this.host = new URL(config.url).host
    this.#log = opts.log ?? NOOP_LOG
    this.#pollDelays = opts.taskPollDelaysMs ?? [100, 250, 500, 1000]
    const policy = tlsPolicyFor(config)
    if (policy.mode === 'insecure' && this.url.startsWith('https:')) {
      this.#log.warn({ cluster: this.host }, 'SCALE_INSECURE_TLS=true: the cluster\'s TLS certificate is NOT verified; anyone on the network path can read the password and session. Prefer SCALE_TLS_FINGERPRINT.')
    }
    this.failover = failoverPolicy(this.url, policy.mode, config.nodes)
    this.#nodes = new ClusterNodes(this.url, config.nodes, { learn: this.failover.learn })
    this.#discover = (opts.discoverNodes ?? false) && this.failover.learn
    if (opts.discoverNodes === true) this.#log.info({ cluster: this.host, learnsNodes: this.failover.learn }, this.failover.summary)
    this.#dispatcher = new Agent({
      // A third of the deadline (at most 10 s) for TCP and the TLS handshake: a node that takes longer is down, and
      // the rest of the deadline is left for the next node.
      connect: buildTlsConnector(policy, Math.max(50, Math.min(10_000, Math.floor(config.timeoutMs / 3)))),
      connections: opts.connections ?? config.maxConnections ?? 16,
      maxResponseSize: MAX_RESPONSE_BYTES
    })
    this.#memory = new AnswerMemory(opts.bufferedBytes ?? config.bufferedBytes ?? 256 * 1024 * 1024)
    this.#observer = opts.observer
    this.#clock = opts.clock ?? { now: Date.now, sleep: sleepUnless }
    const watch = opts.updateWatch ?? {}
    this.#updateTimes = {
      cacheMs: watch.cacheMs ?? 5000,
      suspectAfterMs: Math.min(watch.suspectAfterMs ?? 5000, Math.floor(config.timeoutMs / 2)),
      readDeadlineMs: Math.min(watch.readDeadlineMs ?? 5000, config.timeoutMs),
      statusDeadlineMs: Math.min(watch.statusDeadlineMs ?? 5000, config.timeoutMs)
    }
    this.#watcher = new UpdateWatcher({ read: async () => await this.#readUpdateStatus(), now: () => this.#clock.now(), cacheMs: this.#updateTimes.cacheMs })
    this.#store = new SessionStore(config.sessionFile, this.url, config.username, this.#log)
    this.#loaded = this.#store.load().then((session) => {
      if (session !== undefined && this.#session === undefined) {
        this.#session = session
        this.#persistedUseAt = session.lastUsedAt.getTime()
        this.#log.info({ cluster: this.host }, 'reusing the stored cluster session')
      }
    }, () => {})
  }

  /**
   * Calls the API with the session handled: logs in when needed, and once more on a 401.
   * `target` is a path under /rest/v1 (confined here too, so no caller can escape it). Throws AppError for any
   * failure, including a 4xx/5xx answer (SCALE_API_ERROR with the cluster's body in `details`).
   */
  async call (method: ApiMethod | string, target: string | ApiTarget, opts: CallOptions = {}): Promise<ApiResponse> {
    const verb = checkMethod(method)
    const confined = typeof target === 'string' ? canonicalTarget(target, opts.params) : target
    const site = this.#site(verb, confined.path)
    if (this.#updateMode) {
      const update = await this.#watcher.check()
      if (update.state === 'updating') {
        if (verb !== 'GET') throw updatingError(update, site, 'not-sent')
        if (this.#probeFailedAt !== undefined && this.#clock.now() - this.#probeFailedAt < this.#updateTimes.cacheMs) throw updatingError(update, site, 'not-sent')
      }
      if (update.state === 'idle') this.#updateMode = false
    }
    const raw = await this.#watched(verb, confined.upstreamPath, opts.body, site, opts.signal)
    if (raw.status < 200 || raw.status > 299) throw apiError(site, raw.status, raw.data)
    // A 2xx that is not the JSON the API promises is no success: an HTML page from a proxy, or a cut body.
    if (raw.problem !== undefined || (!raw.json && verb !== 'GET')) {
      const maybe = verb === 'GET' ? '' : ' The change may or may not have been made: check the record before repeating it.'
      throw new AppError('SCALE_BAD_RESPONSE', `The cluster answered ${verb} ${confined.path} with status ${raw.status} but ${raw.problem ?? 'not with JSON'}, so the call cannot be taken as done.${maybe}`, 502,
        { details: { status: raw.status, contentType: String(raw.headers['content-type'] ?? ''), body: typeof raw.data === 'string' ? raw.data.slice(0, 500) : undefined } })
    }
    if (verb === 'GET' && /^\/Node(\/[^/]+)?$/.test(confined.path)) this.#learnNodes(raw.data)
    return { status: raw.status, data: raw.data, json: raw.json, bytes: raw.bytes, node: raw.node }
  }

  /** Host (and port) of the node calls go to now. */
  get node (): string {
    return hostOf(this.#nodes.current)
  }

  /** Every node address known (host and port): the configured one, SCALE_NODES, and those learned from `GET /Node`. */
  knownNodes (): string[] {
    return this.#nodes.list().map(hostOf)
  }

  /**
   * Learns the nodes' addresses now from `GET /Node` (their lanIP; logs in when needed), so calls can move to
   * another node when the current one stops answering. Concurrent callers share one read; answers every known node.
   */
  async discoverNodes (): Promise<string[]> {
    this.#discovery ??= this.call('GET', '/Node').then(() => {
      this.#discoveredAt = this.#clock.now()
      return this.knownNodes()
    }).finally(() => { this.#discovery = undefined })
    return await this.#discovery
  }

  #learnNodes (records: unknown): void {
    const added = this.#nodes.learn(records)
    if (added.length > 0) this.#log.info({ cluster: this.host, nodes: this.knownNodes() }, 'learned the cluster\'s node addresses')
  }

  // After a login, in the background and at most every 10 minutes: the addresses must be known before the node in
  // use goes away, since a node that is gone cannot be asked for them.
  #discoverSoon (): void {
    if (!this.#discover || this.#closed) return
    if (this.#discoveredAt !== undefined && this.#clock.now() - this.#discoveredAt < 10 * 60_000) return
    this.discoverNodes().catch((err: unknown) => {
      this.#log.debug({ cluster: this.host, code: err instanceof AppError ? err.code : 'error' }, 'could not learn the cluster\'s node addresses')
    })
  }

  /**
   * Whether the cluster is answering, for readiness probes: true when it answered within `freshMs`; otherwise one
   * unauthenticated `GET /ping` (never a login), shared by concurrent probes and repeated at most every `probeEveryMs`.
   */
  async reachable (freshMs = 30_000, probeEveryMs = 10_000): Promise<{ ok: boolean, lastAnswerAt?: Date, lastFailure?: { code: string, at: Date } }> {
    const now = Date.now()
    const facts = (ok: boolean): { ok: boolean, lastAnswerAt?: Date, lastFailure?: { code: string, at: Date } } => ({
      ok,
      ...(this.#lastAnswerAt === undefined ? {} : { lastAnswerAt: new Date(this.#lastAnswerAt) }),
      ...(this.#lastFailure === undefined ? {} : { lastFailure: { code: this.#lastFailure.code, at: new Date(this.#lastFailure.at) } })
    })
    const failedSince = this.#lastFailure !== undefined && (this.#lastAnswerAt === undefined || this.#lastFailure.at > this.#lastAnswerAt)
    if (this.#lastAnswerAt !== undefined && now - this.#lastAnswerAt < freshMs && !failedSince) return facts(true)
    if (this.#probe === undefined && now - this.#probedAt >= probeEveryMs) {
      this.#probedAt = now
      // While an update is known to run, the probe gets the short deadline reads get: the answer is known anyway.
      this.#probe = this.#send('GET', '/rest/v1/ping', undefined, undefined, this.#site('GET', '/ping'), undefined, { deadlineMs: this.#updateMode ? this.#updateTimes.readDeadlineMs : undefined })
        .then((raw) => {
          const normal = raw.status < 500 && raw.problem === undefined
          if (normal) this.#answeredNormally()
          return normal
        }, () => false)
        .finally(() => { this.#probe = undefined })
    }
    if (this.#probe !== undefined) await this.#probe
    // In update mode only a normal answer counts: the 502 pages of a cluster coming back are answers, not service.
    return facts(!this.#updateMode && this.#lastAnswerAt !== undefined && (this.#lastFailure === undefined || this.#lastAnswerAt >= this.#lastFailure.at))
  }

  /**
   * Whether the cluster is updating itself, from its update status file (`GET /update/update_status.json`, no login):
   * a reading younger than `maxAgeMs` (default 5 s) is reused, and concurrent askers share one read. Never throws:
   * a file that cannot be read is `unknown`, or `updating` when an update was seen running (see UpdateWatcher).
   */
  async updateStatus (opts: { maxAgeMs?: number } = {}): Promise<UpdateStatus> {
    const status = await this.#watcher.check(opts.maxAgeMs)
    if (status.state === 'idle') this.#updateMode = false
    return status
  }

  /** The last update status read, without asking the cluster (for liveness answers that must never wait). */
  lastUpdateStatus (): UpdateStatus | undefined {
    return this.#watcher.last
  }

  /**
   * The cluster's own description: `GET /rest/v1/Cluster` (its icosVersion) and `GET /rest/v1/openapi.json`, read
   * with HTTP Basic credentials so that no session is created (when the cluster refuses Basic, e.g. for an OIDC
   * account, through the session); from 9.7.1 it also notes whether `/rest/v2/openAPI.json` answers. Everything
   * within `deadlineMs`. Throws AppError.
   */
  async selfDescription (deadlineMs: number): Promise<SelfDescription> {
    const bound = new AbortController()
    const timer = setTimeout(() => { bound.abort() }, deadlineMs)
    try {
      const [cluster, spec] = await Promise.all([
        this.#describing(DESCRIBING_PATHS.cluster, deadlineMs, bound.signal),
        this.#describing(DESCRIBING_PATHS.spec, deadlineMs, bound.signal)
      ])
      const record = (Array.isArray(cluster.data) ? cluster.data[0] : cluster.data) as { icosVersion?: unknown } | undefined
      const icosVersion = typeof record?.icosVersion === 'string' && record.icosVersion !== '' ? record.icosVersion : undefined
      if (spec.data === null || typeof spec.data !== 'object' || Array.isArray(spec.data)) {
        throw new AppError('SCALE_BAD_RESPONSE', `The cluster's ${DESCRIBING_PATHS.spec} is not a JSON object.`, 502)
      }
      let v2: SelfDescription['v2']
      if (icosVersion !== undefined && atLeast(icosVersion, V2_SINCE)) {
        const answer = await this.#describing(DESCRIBING_PATHS.v2, deadlineMs, bound.signal).catch(() => undefined)
        const paths = (answer?.data as { paths?: unknown } | undefined)?.paths
        if (paths !== null && typeof paths === 'object') v2 = { paths: Object.keys(paths).length }
      }
      return { ...(icosVersion === undefined ? {} : { icosVersion }), spec: spec.data as Record<string, unknown>, ...(v2 === undefined ? {} : { v2 }), node: spec.node }
    } catch (err) {
      if (bound.signal.aborted) throw new AppError('SCALE_TIMEOUT', `The cluster did not describe itself (${DESCRIBING_PATHS.cluster}, ${DESCRIBING_PATHS.spec}) within ${deadlineMs} ms.`, 504, { cause: err })
      throw err
    } finally {
      clearTimeout(timer)
    }
  }

  async #describing (path: string, deadlineMs: number, signal: AbortSignal): Promise<RawResponse> {
    const site = this.#site('GET', path)
    let raw = await this.#send('GET', path, undefined, undefined, site, signal, { deadlineMs, basic: true })
    if (raw.status === 401) raw = await this.#authed('GET', path, undefined, site, signal, deadlineMs)
    if (raw.status < 200 || raw.status > 299) throw apiError(site, raw.status, raw.data)
    if (!raw.json || raw.problem !== undefined) throw new AppError('SCALE_BAD_RESPONSE', `The cluster answered GET ${path} ${raw.problem ?? 'with something that is not JSON'}.`, 502)
    return raw
  }

  /** Ends every task wait now (shutdown): each returns the task as it stands, marked interrupted. */
  stopWaiting (): void {
    this.#stopping.abort()
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
    try {
      const res = await this.#send('POST', '/rest/v1/logout', undefined, session.id, this.#site('POST', '/logout'), undefined)
      this.#log.info({ cluster: this.host, status: res.status }, 'logged out of the cluster')
      return {}
    } catch (err) {
      const mapped = err instanceof AppError ? err : mapTransportError(err, this.#site('POST', '/logout'))
      this.#log.warn({ cluster: this.host, code: mapped.code }, 'could not log out on the cluster; the session was forgotten here')
      return { note: `The session was forgotten here, but the cluster could not be told (${mapped.code}); it ends there when it expires.` }
    }
  }

  /** The current session's description (no ID beyond its last 4 characters); never logs in. */
  async session (): Promise<SessionInfo> {
    await this.#loaded
    return this.#info(this.#session)
  }

  /** One cheap authenticated call with the current session and no re-login: true when it works, false when the cluster rejected it (the session is then forgotten), undefined without a session. */
  async verify (): Promise<boolean | undefined> {
    await this.#loaded
    const session = this.#session
    if (session === undefined) return undefined
    const site = this.#site('GET', '/Cluster')
    const raw = await this.#send('GET', '/rest/v1/Cluster', undefined, session.id, site, undefined)
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

  /**
   * Polls `GET /TaskTag/{tag}` (fast at first, then every second) until the task ends or `timeoutMs` runs out.
   * The wait ends early, returning the task as it stands and marked `interrupted`, when `signal` is aborted (the
   * caller went away or cancelled) or the server begins to shut down: the task itself goes on in the cluster.
   */
  async waitForTask (taskTag: string, timeoutMs: number, opts: { onProgress?: (task: TaskStatus) => void, signal?: AbortSignal } = {}): Promise<TaskStatus> {
    const deadline = this.#clock.now() + timeoutMs
    const target = canonicalTarget(`/TaskTag/${encodeURIComponent(taskTag)}`)
    const stops = [this.#stopping.signal, ...(opts.signal === undefined ? [] : [opts.signal])]
    let status: TaskStatus = { taskTag, state: 'UNKNOWN', progressPercent: 0, timedOut: false }
    for (let attempt = 0; ; attempt++) {
      const stopped = stops.find((s) => s.aborted)
      if (stopped !== undefined) return { ...status, timedOut: true, interrupted: stopped === this.#stopping.signal ? 'shutdown' : 'cancelled' }
      try {
        status = readTask(taskTag, (await this.call('GET', target, { signal: opts.signal })).data)
      } catch (err) {
        // A task the cluster has no record of (404, an empty list) is gone: it finished long ago or never ran.
        if (err instanceof AppError && err.code === 'SCALE_API_ERROR' && err.statusCode === 404) return { taskTag, state: 'UNKNOWN', progressPercent: 0, timedOut: false }
        if (err instanceof AppError && err.code === 'CANCELLED') return { ...status, timedOut: true, interrupted: 'cancelled' }
        throw err
      }
      if (TERMINAL_STATES.has(status.state)) return status
      opts.onProgress?.(status)
      const delay = this.#pollDelays[Math.min(attempt, this.#pollDelays.length - 1)] ?? 1000
      if (this.#clock.now() + delay > deadline) return { ...status, timedOut: true }
      await this.#clock.sleep(delay, stops)
    }
  }

  /** The secrets this client holds (the password, the live session ID), so answers echoing them can be masked. */
  knownSecrets (): string[] {
    const secrets = [this.#config.password]
    if (this.#session !== undefined) secrets.push(this.#session.id)
    return secrets
  }

  /** Closes the connections; the session stays valid (and stored) for the next start. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#loaded.catch(() => {})
    await this.#store.flush()
    await this.#dispatcher.close()
  }

  // One call with the update watch around it. A call that hangs, loses its connection or meets a 502 page makes the
  // client read the update status file; when an update runs, the caller gets CLUSTER_UPDATING instead of the raw
  // failure, and the client enters update mode. A read still unanswered after suspectAfterMs has the file looked at
  // (and again every suspectAfterMs: a status read that failed once is not the last word), and is abandoned when an
  // update runs; a change is left to its deadline, since its answer may still come.
  async #watched (method: ApiMethod, upstreamPath: string, body: unknown, site: CallSite, signal: AbortSignal | undefined): Promise<RawResponse> {
    const read = method === 'GET'
    const probe = this.#updateMode && read
    const deadlineMs = probe ? this.#updateTimes.readDeadlineMs : undefined
    const inner = new AbortController()
    const onCallerGone = (): void => inner.abort()
    signal?.addEventListener('abort', onCallerGone, { once: true })
    if (signal?.aborted === true) inner.abort()
    let suspected: UpdateStatus | undefined
    const suspicion = read && !this.#updateMode
      ? setInterval(() => {
        this.#watcher.check().then((status) => {
          if (status.state !== 'updating' || inner.signal.aborted) return
          suspected = status
          inner.abort()
        }, () => {})
      }, this.#updateTimes.suspectAfterMs)
      : undefined
    try {
      const raw = await this.#authed(method, upstreamPath, body, site, inner.signal, deadlineMs)
      if (raw.status >= 502 && raw.status <= 504 && !raw.json) {
        const update = await this.#updateCheck()
        if (probe) this.#probeFailedAt = this.#clock.now()
        if (update !== undefined) throw updatingError(update, site, read ? 'unanswered' : 'maybe-made')
      } else if (raw.status < 500 || raw.json) {
        this.#answeredNormally()
      }
      return raw
    } catch (err) {
      if (suspected !== undefined && signal?.aborted !== true) {
        this.#enterUpdateMode(suspected)
        this.#probeFailedAt = this.#clock.now()
        throw updatingError(suspected, site, 'unanswered')
      }
      if (err instanceof AppError && suspectsUpdate(err, this.#lastAnswerAt !== undefined)) {
        const update = await this.#updateCheck()
        if (probe) this.#probeFailedAt = this.#clock.now()
        if (update !== undefined) throw updatingError(update, site, read ? 'unanswered' : 'maybe-made')
      }
      throw err
    } finally {
      clearInterval(suspicion)
      signal?.removeEventListener('abort', onCallerGone)
    }
  }

  // Reads the status file (cached); answers the update when one runs, entering update mode.
  async #updateCheck (): Promise<UpdateStatus | undefined> {
    const status = await this.#watcher.check()
    if (status.state !== 'updating') return undefined
    this.#enterUpdateMode(status)
    return status
  }

  #enterUpdateMode (status: UpdateStatus): void {
    if (!this.#updateMode) this.#log.warn({ cluster: this.host, percent: status.percent, toVersion: status.toVersion, phase: status.phase }, 'the cluster is applying an update: changes are refused until it is done')
    this.#updateMode = true
    // Readiness: the cluster is not serving calls, whatever answered before.
    this.#lastFailure = { code: 'CLUSTER_UPDATING', at: Date.now() }
  }

  #answeredNormally (): void {
    if (!this.#updateMode) return
    this.#updateMode = false
    this.#probeFailedAt = undefined
    this.#watcher.invalidate()
    this.#log.info({ cluster: this.host }, 'the cluster answers normally again: update mode ended')
  }

  async #readUpdateStatus (): Promise<StatusReading> {
    const site: CallSite = { method: 'GET', path: UPDATE_STATUS_PATH, url: this.#nodes.current, timeoutMs: this.#updateTimes.statusDeadlineMs }
    const node = this.node
    try {
      const raw = await this.#send('GET', UPDATE_STATUS_PATH, undefined, undefined, site, undefined, { deadlineMs: this.#updateTimes.statusDeadlineMs, track: false })
      return { kind: 'answer', status: raw.status, data: raw.data, json: raw.json && raw.problem === undefined, node: raw.node }
    } catch (err) {
      return { kind: 'failed', code: err instanceof AppError ? err.code : 'UNKNOWN', node }
    }
  }

  async #authed (method: ApiMethod, upstreamPath: string, body: unknown, site: CallSite, signal: AbortSignal | undefined, deadlineMs?: number): Promise<RawResponse> {
    await this.#loaded
    let session = this.#session ?? await this.#relogin(undefined)
    let raw = await this.#send(method, upstreamPath, body, session.id, site, signal, { deadlineMs })
    if (raw.status === 401) {
      this.#log.info({ cluster: this.host }, 'the cluster rejected the session (401); logging in again')
      session = await this.#relogin(session.id)
      raw = await this.#send(method, upstreamPath, body, session.id, site, signal, { deadlineMs })
      if (raw.status === 401) {
        throw new AppError('SCALE_AUTH_FAILED',
          `The cluster rejected a freshly created session for ${site.method} ${site.path} (401). The account "${this.#config.username}" may lack access to it, or the cluster is refusing sessions.`,
          502, { details: { status: 401, body: raw.data } })
      }
    }
    this.#touch(session)
    return raw
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
      this.#observer?.login(true)
      queueMicrotask(() => { this.#discoverSoon() })
      return session
    }, (err: unknown) => {
      this.#observer?.login(false)
      throw err
    }).finally(() => {
      if (this.#login === login) this.#login = undefined
    })
    this.#login = login
    return login
  }

  async #doLogin (): Promise<Session> {
    const { username, password, auth } = this.#config
    const epoch = this.#epoch
    const site = this.#site('POST', '/login')
    const raw = await this.#send('POST', '/rest/v1/login', { username, password, useOIDC: auth === 'oidc' }, undefined, site, undefined)
    if (raw.status === 401 || raw.status === 403) {
      const said = this.#scrub(summarise(raw.data))
      throw new AppError('SCALE_AUTH_FAILED',
        `The cluster at ${this.host} rejected the login for user "${username}" (HTTP ${raw.status}${said === '' ? '' : `: ${said}`}). ` +
        `Check SCALE_USERNAME and SCALE_PASSWORD (or SCALE_PASSWORD_FILE)${auth === 'oidc' ? ' and that the user can sign in through OIDC (SCALE_AUTH=oidc)' : ', and SCALE_AUTH=oidc if the account is an OIDC one'}.`,
        502, { details: { status: raw.status, username } })
    }
    const { data } = raw
    if (raw.status < 200 || raw.status > 299) {
      throw apiError(site, raw.status, typeof data === 'string' ? this.#scrub(data) : data)
    }
    const id = sessionIdFrom(data, raw.headers['set-cookie'])
    if (!isValidSessionId(id)) {
      throw new AppError('SCALE_BAD_RESPONSE', `The cluster at ${this.host} accepted the login but sent no usable session ID (no sessionID in the body or cookie).`, 502)
    }
    const now = new Date()
    const session: Session = { id, createdAt: now, lastUsedAt: now }
    if (epoch !== this.#epoch) {
      // kill_session ran while this login was in flight: its answer must hold, so this session is ended, not kept.
      await this.#logoutQuietly(session)
      throw new AppError('SCALE_SESSION_ENDED', 'The cluster session was ended (kill_session) while this call was logging in, so the call was not made. Call again to log in anew.', 409)
    }
    this.#session = session
    this.#persistedUseAt = now.getTime()
    this.#log.info({ cluster: this.host, username }, 'logged in to the cluster')
    await this.#store.save(() => this.#session)
    return session
  }

  async #logoutQuietly (session: Session): Promise<void> {
    try {
      await this.#send('POST', '/rest/v1/logout', undefined, session.id, this.#site('POST', '/logout'), undefined)
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

  // One HTTP exchange under one deadline that covers waiting for a socket, the headers and the whole body (undici's
  // own timeouts only measure idle gaps, so a cluster dripping one byte a second would never time out). The body is
  // read to the end or the request destroyed, so the socket goes back to the pool. Under the same deadline it moves
  // to the next node when the current one cannot be reached: any call whose connection failed before a byte of it
  // was written (refused, unreachable, no TLS handshake in time), and reads, login and logout also on a reset. A
  // change that may have reached a node is never sent to another.
  async #send (method: ApiMethod, upstreamPath: string, body: unknown, sessionId: string | undefined, site: CallSite, signal: AbortSignal | undefined, extra: SendExtras = {}): Promise<RawResponse> {
    if (this.#closed) throw new AppError('SCALE_CLIENT_CLOSED', 'The cluster client is shutting down; try again once the server has restarted.', 503)
    if (signal?.aborted === true) throw cancelled(site)
    const headers: Record<string, string> = { accept: 'application/json' }
    if (sessionId !== undefined) headers.cookie = `sessionID=${sessionId}`
    if (extra.basic === true) headers.authorization = `Basic ${Buffer.from(`${this.#config.username}:${this.#config.password}`).toString('base64')}`
    let payload: string | undefined
    if (body !== undefined) {
      payload = JSON.stringify(body)
      headers['content-type'] = 'application/json'
    }
    const started = performance.now()
    // Linked by hand: AbortSignal.any() on Node 20 keeps a long-lived signal's listeners and leaks.
    const abort = new AbortController()
    const deadlineMs = extra.deadlineMs ?? this.#config.timeoutMs
    const timer = setTimeout(() => abort.abort(DEADLINE), deadlineMs)
    // Reads beside the API (the update status file) say nothing about whether the API answers.
    const track = extra.track ?? true
    const onCallerGone = (): void => abort.abort(CALLER_GONE)
    signal?.addEventListener('abort', onCallerGone, { once: true })
    // GETs, login and logout are retried once on a reset: a keep-alive socket the cluster had just closed looks
    // the same, and repeating them is harmless. Other writes are not repeated: the cluster may have done them.
    const retryable = method === 'GET' || upstreamPath === '/rest/v1/login' || upstreamPath === '/rest/v1/logout'
    const origins = this.#nodes.order()
    const failures: Array<{ origin: string, err: unknown }> = []
    let index = 0
    let origin = origins[0] as string
    try {
      for (let retried = false; ;) {
        origin = origins[index] as string
        try {
          const res = await untilAborted(this.#dispatcher.request({ origin, path: upstreamPath, method, headers, body: payload, signal: abort.signal }), abort.signal)
          const lease = this.#memory.lease(method === 'GET')
          try {
            const chunks: Buffer[] = []
            for await (const chunk of res.body) {
              lease.take((chunk as Buffer).length, site)
              chunks.push(chunk as Buffer)
            }
            const parsed = interpret(res.statusCode, res.headers, Buffer.concat(chunks).toString('utf8'), hostOf(origin))
            const ms = Math.round(performance.now() - started)
            this.#log.debug({ method, path: site.path, status: res.statusCode, ms, node: parsed.node }, 'cluster call')
            if (track) this.#lastAnswerAt = Date.now()
            if (origin !== this.#nodes.current) {
              this.#log.warn({ cluster: this.host, node: parsed.node, from: hostOf(this.#nodes.current) }, 'calls go to another cluster node now')
              this.#nodes.use(origin)
            }
            this.#observer?.call({ method, path: site.path, outcome: String(res.statusCode), ms })
            return parsed
          } catch (err) {
            res.body.destroy()
            throw err
          } finally {
            lease.release()
          }
        } catch (err) {
          if (this.#closed || abort.signal.aborted) throw err
          const beforeWriting = isConnectFailure(err)
          // The connect cap leaves time for the next node; with none left, a slow handshake (a busy node, or this
          // process's own busy event loop) is tried again and only the call's deadline ends it.
          if (beforeWriting && index + 1 >= origins.length && errorCode(err) === 'UND_ERR_CONNECT_TIMEOUT') continue
          if (!beforeWriting && !retried && retryable && isConnectionReset(err)) {
            retried = true
            continue
          }
          failures.push({ origin, err })
          if (index + 1 < origins.length && (beforeWriting || (retryable && isConnectionReset(err)))) {
            this.#log.warn({ cluster: this.host, node: hostOf(origin), next: hostOf(origins[index + 1] as string), cause: errorCode(err) ?? (err as Error).name }, 'cluster node not answering; trying the next node')
            index++
            retried = false
            continue
          }
          throw err
        }
      }
    } catch (err) {
      const where = { ...site, url: origin }
      const mapped = abort.signal.reason === DEADLINE
        ? timeoutError({ ...where, timeoutMs: deadlineMs })
        : abort.signal.reason === CALLER_GONE ? cancelled(where) : nodesFailed(failures, where) ?? mapTransportError(err, where)
      const ms = Math.round(performance.now() - started)
      this.#log.warn({ method, path: site.path, code: mapped.code, ms, node: hostOf(origin) }, 'cluster call failed')
      if (track && mapped.code !== 'CANCELLED' && mapped.code !== 'SCALE_BUSY') this.#lastFailure = { code: mapped.code, at: Date.now() }
      this.#observer?.call({ method, path: site.path, outcome: mapped.code, ms })
      throw mapped
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onCallerGone)
    }
  }

  #site (method: string, path: string): CallSite {
    return { method, path, url: this.#nodes.current, timeoutMs: this.#config.timeoutMs }
  }

  #info (session: Session | undefined): SessionInfo {
    if (session === undefined) return { active: false, cluster: this.host, node: this.node }
    return { active: true, cluster: this.host, node: this.node, createdAt: session.createdAt, lastUsedAt: session.lastUsedAt, idHint: `…${session.id.slice(-4)}` }
  }

  // Login error texts come from the cluster; make sure they cannot carry the password back to a caller.
  #scrub (text: string): string {
    const { password } = this.#config
    return password === '' ? text : text.split(password).join('[redacted]')
  }
}

// What a body is: JSON (checked, and not nested deeper than anything HyperCore sends), text, or nothing.
function interpret (status: number, headers: RawResponse['headers'], text: string, node: string): RawResponse {
  const raw = parseBody(status, headers, text)
  return { ...raw, node }
}

function parseBody (status: number, headers: RawResponse['headers'], text: string): Omit<RawResponse, 'node'> {
  const bytes = Buffer.byteLength(text)
  if (text === '') return { status, headers, data: null, json: true, bytes }
  const type = String(headers['content-type'] ?? '').toLowerCase()
  const first = text.trimStart()[0]
  if (type.includes('json') || first === '{' || first === '[') {
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      if (type.includes('json')) return { status, headers, data: text, json: false, bytes, problem: 'with a body that is not valid JSON (cut short, or not JSON at all)' }
      return { status, headers, data: text, json: false, bytes }
    }
    if (measureJson(data, MAX_JSON_DEPTH).depth > MAX_JSON_DEPTH) {
      return { status, headers, data: null, json: false, bytes, problem: `with JSON nested deeper than ${MAX_JSON_DEPTH} levels, which no HyperCore record is` }
    }
    return { status, headers, data, json: true, bytes }
  }
  if (type.includes('text/html') || /^<!doctype html|^<html/i.test(text.trimStart())) {
    return { status, headers, data: text, json: false, bytes, problem: 'with an HTML page (a proxy\'s or the web UI\'s, not the API\'s answer)' }
  }
  return { status, headers, data: text, json: false, bytes }
}

/** What one exchange may do besides the usual. */
interface SendExtras {
  /** This exchange's deadline instead of SCALE_TIMEOUT_MS. */
  deadlineMs?: number
  /** Send HTTP Basic credentials (the live spec; real clusters accept Basic on every call). */
  basic?: boolean
  /** False for reads beside the API, which must not count as the cluster answering (default true). */
  track?: boolean
}

// Failures an update causes: a hang, a dropped or refused connection once the cluster had answered, a TLS failure
// (nodes rebooting), or a 502 page from the web server in front of a REST backend that is not up yet.
function suspectsUpdate (err: AppError, answeredBefore: boolean): boolean {
  if (err.code === 'SCALE_TIMEOUT' || err.code === 'SCALE_CONNECTION_RESET') return true
  if (err.code === 'SCALE_UNREACHABLE' || err.code === 'SCALE_TLS_UNTRUSTED') return answeredBefore
  if (err.code === 'SCALE_API_ERROR' || err.code === 'SCALE_BAD_RESPONSE') {
    const status = (err.details as { status?: unknown } | undefined)?.status
    return typeof status === 'number' && status >= 502 && status <= 504
  }
  return false
}

/**
 * CLUSTER_UPDATING for a call, with the update's progress. `outcome` says what became of the call: not sent at all,
 * a read sent and not answered, or a change sent and not answered (`details.sent`: it may have been made).
 */
function updatingError (update: UpdateStatus, site: CallSite, outcome: 'not-sent' | 'unanswered' | 'maybe-made'): AppError {
  const to = update.toVersion === undefined ? '' : ` to HyperCore ${update.toVersion}`
  const progress = [update.percent === undefined ? undefined : `${update.percent}% done`, update.phase].filter((p) => p !== undefined).join(', ')
  const sent = outcome === 'maybe-made'
  const what = outcome === 'maybe-made'
    ? `${site.method} ${site.path} was sent before the update was noticed and got no answer: it may or may not have been made, so check the record once the update is done before repeating it.`
    : outcome === 'unanswered'
      ? `${site.method} ${site.path} got no answer.`
      : `${site.method} ${site.path} was not sent: ${site.method === 'GET' ? 'a read moments ago found the API still away' : 'changes are refused while an update runs'}.`
  return new AppError('CLUSTER_UPDATING', `The cluster is applying an update${to}${progress === '' ? '' : ` (${progress})`}; ${what} Calls work again once it is done; /health shows its progress.`, 503, {
    details: {
      ...(update.percent === undefined ? {} : { percent: update.percent }),
      ...(update.toVersion === undefined ? {} : { toVersion: update.toVersion }),
      ...(update.phase === undefined ? {} : { phase: update.phase }),
      ...(update.node === undefined ? {} : { node: update.node }),
      sent,
      retryAfterSeconds: 30
    }
  })
}

// True when a version like 9.7.4.225310 is at least `min`, part by part.
function atLeast (version: string, min: number[]): boolean {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10))
  for (const [i, want] of min.entries()) {
    const have = Number.isFinite(parts[i]) ? parts[i] as number : 0
    if (have !== want) return have > want
  }
  return true
}

// When a call tried more than one node and none answered: the most telling failure, naming every node tried. A
// refused certificate wins over an unreachable node, since it is something to fix rather than to wait out.
function nodesFailed (failures: Array<{ origin: string, err: unknown }>, site: CallSite): AppError | undefined {
  if (failures.length < 2) return undefined
  const pick = failures.find((f) => f.err instanceof ScaleTlsError) ?? failures.at(-1) as { origin: string, err: unknown }
  const mapped = mapTransportError(pick.err, { ...site, url: pick.origin })
  const tried = failures.map((f) => hostOf(f.origin))
  const details = mapped.details !== null && typeof mapped.details === 'object' ? mapped.details : {}
  return new AppError(mapped.code, `${mapped.message} Every known node was tried: ${tried.join(', ')}.`, mapped.statusCode, { details: { ...details, nodesTried: tried }, cause: pick.err })
}

function timeoutError (site: CallSite): AppError {
  const maybe = site.method === 'GET' ? '' : ' The cluster may still carry out the change: check before repeating it.'
  return new AppError('SCALE_TIMEOUT', `The cluster did not answer ${site.method} ${site.path} on ${site.url} completely within ${site.timeoutMs} ms.${maybe} SCALE_TIMEOUT_MS sets the limit.`, 504, { details: { cause: 'DEADLINE' } })
}

function cancelled (site: CallSite): AppError {
  return new AppError('CANCELLED', `The call ${site.method} ${site.path} was abandoned because its caller went away.`, 499)
}

// undici only honours an abort once the request has a socket: one still waiting for a connection (a node that
// accepts TCP but never finishes the TLS handshake) would wait for the connect timeout. This ends it at the abort.
async function untilAborted<T extends { body: { destroy: () => unknown } }> (pending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    pending.then((res) => res.body.destroy(), () => {})
    throw signal.reason
  }
  return await new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      pending.then((res) => res.body.destroy(), () => {})
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    pending.then((res) => {
      signal.removeEventListener('abort', onAbort)
      resolve(res)
    }, (err: unknown) => {
      signal.removeEventListener('abort', onAbort)
      reject(err)
    })
  })
}

// A wait that ends early when any of the signals is aborted.
async function sleepUnless (ms: number, signals: AbortSignal[]): Promise<void> {
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      for (const s of signals) s.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    for (const s of signals) s.addEventListener('abort', done, { once: true })
  })
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

function readTask (taskTag: string, data: unknown): TaskStatus {
  const record = (Array.isArray(data) ? data[0] : data) as Record<string, unknown> | undefined
  if (record === null || typeof record !== 'object') return { taskTag, state: 'UNKNOWN', progressPercent: 0, timedOut: false }
  const state = typeof record.state === 'string' ? record.state : 'UNKNOWN'
  const progress = Number(record.progressPercent)
  const status: TaskStatus = { taskTag, state, progressPercent: Number.isFinite(progress) ? progress : 0, timedOut: false }
  if (FAILED_STATES.has(state)) {
    const message = [record.formattedMessage, record.formattedDescription, record.message, record.error]
      .find((m): m is string => typeof m === 'string' && m !== '')
    status.error = message ?? `The task ended in ${state}.`
  }
  return status
}
