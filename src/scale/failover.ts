import { AppError } from '../errors/app-error.js'
import type { Log } from '../observe/logger.js'
import { errorCode } from '../errors/network.js'
import { ClusterNodes, failoverPolicy, hostOf, type FailoverPolicy } from './nodes.js'
import { ScaleTlsError, type TlsPolicy } from './tls.js'
import { isConnectionReset, mapTransportError, type CallSite } from './upstream-errors.js'

/** One node's failure during an exchange. */
export interface NodeFailure {
  origin: string
  err: unknown
}

/** An exchange that no node answered: the last error, the node it came from, and every node's failure on the way. */
export class AttemptFailed extends Error {
  readonly origin: string
  readonly failures: NodeFailure[]

  constructor (cause: unknown, origin: string, failures: NodeFailure[]) {
    super('no node answered', { cause })
    this.name = 'AttemptFailed'
    this.origin = origin
    this.failures = failures
  }
}

/** How one exchange may move between nodes. */
export interface AttemptOptions {
  /** Reads, login and logout: repeating them after a reset is harmless. */
  retryable: boolean
  /** True once nothing more may be tried (the deadline passed, the caller left, the connection closed). */
  stopped: () => boolean
  /** Whether an error was raised before a byte of the request was written (the TLS connector knows). */
  isConnectFailure: (err: unknown) => boolean
}

/** What failover needs besides the cluster's configuration. */
export interface FailoverOptions {
  /** The configured origin, e.g. `https://10.0.0.5`. */
  url: string
  tls: TlsPolicy['mode']
  /** SCALE_NODES as origins. */
  given?: readonly string[]
  /** Learn nodes from `GET /Node` after each login (when the policy allows it). */
  discover: boolean
  /** Log the policy line at start (the server does; tests mostly do not ask for discovery). */
  announce: boolean
  /** Reads `GET /Node` through the whole connection (session, update guard); the answer is learned from there. */
  readNodes: () => Promise<unknown>
  now: () => number
  log: Log
  /** Host of the cluster, for log lines. */
  host: string
}

// Learned addresses must be known before the node in use goes away, since a node that is gone cannot be asked for
// them; re-learning every 10 minutes is plenty for addresses that change only when nodes are added.
const REDISCOVER_MS = 10 * 60_000

/**
 * The cluster's node addresses and moving between them, since a HyperCore cluster has no virtual IP: which
 * addresses calls may go to (the policy in nodes.ts), the order one exchange tries them in, and learning them from
 * `GET /Node`. An exchange whose connection failed before a byte was written moves on to the next node; reads,
 * login and logout also on a reset. A change that may have reached a node is never sent to another.
 */
export class Failover {
  /** Which node addresses calls may move to. */
  readonly policy: FailoverPolicy
  readonly #nodes: ClusterNodes
  readonly #opts: FailoverOptions
  readonly #discover: boolean
  #discovery: Promise<string[]> | undefined
  #discoveredAt: number | undefined

  constructor (opts: FailoverOptions) {
    this.#opts = opts
    this.policy = failoverPolicy(opts.url, opts.tls, opts.given)
    this.#nodes = new ClusterNodes(opts.url, opts.given, { learn: this.policy.learn })
    this.#discover = opts.discover && this.policy.learn
    if (opts.announce) opts.log.info({ cluster: opts.host, learnsNodes: this.policy.learn }, this.policy.summary)
  }

  /** The origin calls go to now. */
  get current (): string {
    return this.#nodes.current
  }

  /** Host (and port) of the node calls go to now. */
  get node (): string {
    return hostOf(this.#nodes.current)
  }

  /** Every node address known (host and port): the configured one, SCALE_NODES, and those learned from `GET /Node`. */
  knownNodes (): string[] {
    return this.#nodes.list().map(hostOf)
  }

  /** Learns node addresses from `GET /Node` records (logged when new ones appear). */
  learn (records: unknown): void {
    const added = this.#nodes.learn(records)
    if (added.length > 0) this.#opts.log.info({ cluster: this.#opts.host, nodes: this.knownNodes() }, 'learned the cluster\'s node addresses')
  }

  /** Reads `GET /Node` now; concurrent callers share one read. Answers every known node. */
  async discover (): Promise<string[]> {
    this.#discovery ??= this.#opts.readNodes().then(() => {
      this.#discoveredAt = this.#opts.now()
      return this.knownNodes()
    }).finally(() => { this.#discovery = undefined })
    return await this.#discovery
  }

  /** After a login, in the background and at most every 10 minutes (when discovery is on). */
  discoverSoon (): void {
    if (!this.#discover) return
    if (this.#discoveredAt !== undefined && this.#opts.now() - this.#discoveredAt < REDISCOVER_MS) return
    this.discover().catch((err: unknown) => {
      this.#opts.log.debug({ cluster: this.#opts.host, code: err instanceof AppError ? err.code : 'error' }, 'could not learn the cluster\'s node addresses')
    })
  }

  /**
   * Runs `run` on the current node, then on the others in order while the failures allow it; the node that
   * answered becomes current. Throws AttemptFailed with the last error and every node's failure.
   */
  async attempt<T>(run: (origin: string) => Promise<T>, opts: AttemptOptions): Promise<T> {
    const origins = this.#nodes.order()
    const failures: NodeFailure[] = []
    let index = 0
    for (let retried = false; ;) {
      const origin = origins[index] as string
      let value: T
      try {
        value = await run(origin)
      } catch (err) {
        if (opts.stopped()) throw new AttemptFailed(err, origin, failures)
        const beforeWriting = opts.isConnectFailure(err)
        // The connect cap leaves time for the next node; with none left, a slow handshake (a busy node, or this
        // process's own busy event loop) is tried again and only the call's deadline ends it.
        if (beforeWriting && index + 1 >= origins.length && errorCode(err) === 'UND_ERR_CONNECT_TIMEOUT') continue
        if (!beforeWriting && !retried && opts.retryable && isConnectionReset(err)) {
          retried = true
          continue
        }
        failures.push({ origin, err })
        if (index + 1 < origins.length && (beforeWriting || (opts.retryable && isConnectionReset(err)))) {
          const next = hostOf(origins[index + 1] as string)
          const cause = errorCode(err) ?? (err as Error).name
          this.#opts.log.warn({ cluster: this.#opts.host, node: hostOf(origin), next, cause }, 'cluster node not answering; trying the next node')
          index++
          retried = false
          continue
        }
        throw new AttemptFailed(err, origin, failures)
      }
      if (origin !== this.#nodes.current) {
        this.#opts.log.warn({ cluster: this.#opts.host, node: hostOf(origin), from: hostOf(this.#nodes.current) }, 'calls go to another cluster node now')
        this.#nodes.use(origin)
      }
      return value
    }
  }
}

/**
 * When a call tried more than one node and none answered: the most telling failure, naming every node tried. A
 * refused certificate wins over an unreachable node, since it is something to fix rather than to wait out.
 */
export function nodesFailed (failures: readonly NodeFailure[], site: CallSite): AppError | undefined {
  if (failures.length < 2) return undefined
  const pick = failures.find((f) => f.err instanceof ScaleTlsError) ?? failures.at(-1) as NodeFailure
  const mapped = mapTransportError(pick.err, { ...site, url: pick.origin })
  const tried = failures.map((f) => hostOf(f.origin))
  const details = mapped.details !== null && typeof mapped.details === 'object' ? mapped.details : {}
  return new AppError(mapped.code, `${mapped.message} Every known node was tried: ${tried.join(', ')}.`, { status: mapped.statusCode, details: { ...details, nodesTried: tried }, cause: pick.err })
}
