import { AppError } from '../errors/app-error.js'
import type { Log } from '../observe/logger.js'
import type { ClusterObserver } from '../observe/metrics.js'
import type { ClusterConfig } from './cluster-config.js'
import { checkMethod, canonicalTarget, type ApiMethod, type ApiTarget, type QueryParams } from './canonical-path.js'
import { describeCluster, type SelfDescription } from './describe.js'
import { Failover } from './failover.js'
import type { FailoverPolicy } from './nodes.js'
import { DEFAULT_BUFFERED_BYTES, DEFAULT_CONNECTIONS } from './limits.js'
import { CallRecord, Readiness } from './readiness.js'
import { RecentAnswers } from './recent-answers.js'
import { SessionKeeper, type SessionInfo } from './session.js'
import { REAL_CLOCK, TaskPoller, type TaskStatus, type WaitClock } from './tasks.js'
import { tlsPolicyFor } from './tls.js'
import { Transport, type RawResponse } from './transport.js'
import { UpdateGuard, type UpdateWatchOptions } from './update-guard.js'
import type { UpdateStatus } from './update-status.js'
import { apiError } from './upstream-errors.js'

export type { SelfDescription } from './describe.js'
export type { SessionInfo } from './session.js'
export type { TaskStatus, WaitClock } from './tasks.js'
export type { UpdateWatchOptions } from './update-guard.js'

/** What a connection is given besides its cluster's configuration: the parts it reports to, and timings tests shorten. */
export interface HyperCoreClientOptions {
  log?: Log
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

/** Options of one call. */
export interface CallOptions {
  body?: unknown
  params?: QueryParams
  /** Aborted when the caller goes away: the request is abandoned (a change may still happen on the cluster). */
  signal?: AbortSignal
  /**
   * For a GET: an answer this connection received at most this many ms ago may be given again (see RecentAnswers).
   * Only for slow-changing lists read to label an answer, never for what a caller asked to read.
   */
  maxAgeMs?: number
}

const NOOP_LOG: Log = { debug () {}, info () {}, warn () {}, error () {} }

/**
 * One cluster connection, built from one cluster's configuration and holding nothing outside itself, so several can
 * live in one process. Composed like undici's dispatchers, each part small and wrapping the one below: the
 * transport (pool per node, TLS policy, deadlines, answer memory), failover (node addresses and moving between
 * them), the session (single-flight login, one re-login on 401, a 0600 file), the update guard (update mode from
 * the status file), task polling, readiness (the cheap view health routes read) and self-description. The session
 * ID and password never leave it except on the wire to the cluster.
 */
export class HyperCoreClient {
  /** The cluster's name as configured, else its host. */
  readonly name: string
  /** Host (and port) of the cluster, for display; never credentials. */
  readonly host: string
  /** The cluster's origin, e.g. `https://10.0.0.5`. */
  readonly url: string
  /** Which node addresses calls may move to (SCALE_NODES always; those from `GET /Node` only when every node proves itself). */
  readonly failover: FailoverPolicy
  /** What health routes read: the node, the update status, and readiness (see routes/health.ts). */
  readonly readiness: Readiness
  readonly #failover: Failover
  readonly #transport: Transport
  readonly #session: SessionKeeper
  readonly #guard: UpdateGuard
  readonly #tasks: TaskPoller
  readonly #recent: RecentAnswers
  #answeredBy: string | undefined
  #closed = false

  constructor (config: ClusterConfig, opts: HyperCoreClientOptions = {}) {
    this.url = new URL(config.url).origin
    this.host = new URL(config.url).host
    this.name = config.name ?? this.host
    const log = opts.log ?? NOOP_LOG
    const clock = opts.clock ?? REAL_CLOCK
    const tls = tlsPolicyFor(config)
    if (tls.mode === 'insecure' && this.url.startsWith('https:')) {
      log.warn({ cluster: this.host }, 'SCALE_INSECURE_TLS=true: the cluster\'s TLS certificate is NOT verified; anyone on the network path can read the password and session. Prefer SCALE_TLS_FINGERPRINT.')
    }
    const record = new CallRecord()
    this.#recent = new RecentAnswers(() => clock.now())
    const failover = new Failover({
      url: this.url,
      tls: tls.mode,
      given: config.nodes,
      discover: opts.discoverNodes ?? false,
      announce: opts.discoverNodes === true,
      readNodes: async () => await this.call('GET', '/Node'),
      now: () => clock.now(),
      log,
      host: this.host
    })
    const transport = new Transport({
      tls,
      timeoutMs: config.timeoutMs,
      connections: config.maxConnections ?? DEFAULT_CONNECTIONS,
      bufferedBytes: config.bufferedBytes ?? DEFAULT_BUFFERED_BYTES,
      failover,
      record,
      log,
      observer: opts.observer
    })
    this.#session = new SessionKeeper({
      credentials: { username: config.username, password: config.password, auth: config.auth },
      url: this.url,
      sessionFile: config.sessionFile,
      transport,
      host: this.host,
      node: () => failover.node,
      log,
      onLogin: (ok) => {
        opts.observer?.login(ok)
        if (ok) queueMicrotask(() => { if (!this.#closed) failover.discoverSoon() })
      }
    })
    this.#guard = new UpdateGuard({ watch: opts.updateWatch ?? {}, timeoutMs: config.timeoutMs, now: () => clock.now(), transport, nodes: failover, record, log, host: this.host })
    this.#tasks = new TaskPoller({ read: async (target, signal) => await this.call('GET', target, { signal }), clock, delays: opts.taskPollDelaysMs })
    this.readiness = new Readiness({
      record,
      ping: async (deadlineMs) => await transport.send({ method: 'GET', upstreamPath: '/rest/v1/ping', site: transport.site('GET', '/ping'), deadlineMs }),
      guard: this.#guard,
      nodes: failover
    })
    this.failover = failover.policy
    this.#failover = failover
    this.#transport = transport
  }

  /**
   * Calls the API with the session handled: logs in when needed, and once more on a 401.
   * `target` is a path under /rest/v1 (confined here too, so no caller can escape it). Throws AppError for any
   * failure, including a 4xx/5xx answer (SCALE_API_ERROR with the cluster's body in `details`).
   */
  async call (method: ApiMethod | string, target: string | ApiTarget, opts: CallOptions = {}): Promise<ApiResponse> {
    const verb = checkMethod(method)
    const confined = typeof target === 'string' ? canonicalTarget(target, opts.params) : target
    if (verb !== 'GET') {
      this.#recent.clear()
    } else if (opts.maxAgeMs !== undefined) {
      // Read without the caller's signal: other callers may be waiting for the same answer.
      return await this.#recent.get(confined.upstreamPath, opts.maxAgeMs, async () => await this.call(verb, confined))
    }
    const site = this.#transport.site(verb, confined.path)
    await this.#guard.admit(verb, site)
    const send = async (): Promise<RawResponse> => await this.#guard.around(verb, site, opts.signal, async (signal, deadlineMs) =>
      await this.#session.authed({ method: verb, upstreamPath: confined.upstreamPath, body: opts.body, site, signal, deadlineMs }))
    // A change forgets the answers kept for reuse when it is sent and again when it has ended, so a read that was
    // in flight meanwhile is not kept either.
    const raw = verb === 'GET' ? await send() : await send().finally(() => this.#recent.clear())
    if (raw.status < 200 || raw.status > 299) throw apiError(site, raw.status, raw.data)
    // A 2xx that is not the JSON the API promises is no success: an HTML page from a proxy, or a cut body.
    if (raw.problem !== undefined || (!raw.json && verb !== 'GET')) {
      const maybe = verb === 'GET' ? '' : ' The change may or may not have been made: check the record before repeating it.'
      throw new AppError('SCALE_BAD_RESPONSE', `The cluster answered ${verb} ${confined.path} with status ${raw.status} but ${raw.problem ?? 'not with JSON'}, so the call cannot be taken as done.${maybe}`,
        { details: { status: raw.status, contentType: String(raw.headers['content-type'] ?? ''), body: typeof raw.data === 'string' ? raw.data.slice(0, 500) : undefined } })
    }
    if (verb === 'GET' && /^\/Node(\/[^/]+)?$/.test(confined.path)) this.#failover.learn(raw.data)
    // Another node answers now (a failover): what it says of nodes and schedules is read anew.
    if (raw.node !== this.#answeredBy) {
      if (this.#answeredBy !== undefined) this.#recent.clear()
      this.#answeredBy = raw.node
    }
    return { status: raw.status, data: raw.data, json: raw.json, bytes: raw.bytes, node: raw.node }
  }

  /** Host (and port) of the node calls go to now. */
  get node (): string {
    return this.#failover.node
  }

  /** Every node address known (host and port): the configured one, SCALE_NODES, and those learned from `GET /Node`. */
  knownNodes (): string[] {
    return this.#failover.knownNodes()
  }

  /**
   * Learns the nodes' addresses now from `GET /Node` (their lanIP; logs in when needed), so calls can move to
   * another node when the current one stops answering. Concurrent callers share one read; answers every known node.
   */
  async discoverNodes (): Promise<string[]> {
    return await this.#failover.discover()
  }

  /**
   * Whether the cluster is updating itself, from its update status file (`GET /update/update_status.json`, no login):
   * a reading younger than `maxAgeMs` (default 5 s) is reused, and concurrent askers share one read. Never throws:
   * a file that cannot be read is `unknown`, or `updating` when an update was seen running (see UpdateWatcher).
   */
  async updateStatus (opts: { maxAgeMs?: number } = {}): Promise<UpdateStatus> {
    return await this.readiness.updateStatus(opts)
  }

  /** The last update status read, without asking the cluster (for liveness answers that must never wait). */
  lastUpdateStatus (): UpdateStatus | undefined {
    return this.readiness.lastUpdateStatus()
  }

  /**
   * The cluster's own description: `GET /rest/v1/Cluster` (its icosVersion) and `GET /rest/v1/openapi.json`, read
   * with HTTP Basic credentials so that no session is created (when the cluster refuses Basic, e.g. for an OIDC
   * account, through the session); from 9.7.1 it also notes whether `/rest/v2/openAPI.json` answers. Everything
   * within `deadlineMs`. Throws AppError.
   */
  async selfDescription (deadlineMs: number): Promise<SelfDescription> {
    const session = this.#session
    return await describeCluster({ basic: async (ex) => await session.basic(ex), authed: async (ex) => await session.authed(ex), transport: this.#transport }, deadlineMs)
  }

  /** Ends every task wait now (shutdown): each returns the task as it stands, marked interrupted. */
  stopWaiting (): void {
    this.#tasks.stop()
  }

  /** Logs in now, replacing any session (the old one is logged out on the cluster, best effort). */
  async login (): Promise<SessionInfo> {
    return await this.#session.login()
  }

  /** Logs out on the cluster and forgets the session; fine when there is none. Returns a note when the cluster could not be told. */
  async logout (): Promise<{ note?: string }> {
    return await this.#session.logout()
  }

  /** The current session's description (no ID beyond its last 4 characters); never logs in. */
  async session (): Promise<SessionInfo> {
    return await this.#session.info()
  }

  /**
   * One cheap authenticated call with the current session and no re-login: true when it works, false when the
   * cluster rejected it (the session is then forgotten), undefined without a session.
   */
  async verify (): Promise<boolean | undefined> {
    return await this.#session.verify()
  }

  /**
   * Polls `GET /TaskTag/{tag}` (fast at first, then every second) until the task ends or `timeoutMs` runs out.
   * The wait ends early, returning the task as it stands and marked `interrupted`, when `signal` is aborted (the
   * caller went away or cancelled) or the server begins to shut down: the task itself goes on in the cluster.
   */
  async waitForTask (taskTag: string, timeoutMs: number, opts: { onProgress?: (task: TaskStatus) => void, signal?: AbortSignal } = {}): Promise<TaskStatus> {
    return await this.#tasks.wait(taskTag, timeoutMs, opts)
  }

  /** The secrets this client holds (the password, the live session ID), so answers echoing them can be masked. */
  knownSecrets (): string[] {
    return this.#session.secrets()
  }

  /** Closes the connections; the session stays valid (and stored) for the next start. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#transport.close(async () => await this.#session.flush())
  }
}
