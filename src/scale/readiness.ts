import type { RawResponse } from './transport.js'
import type { UpdateStatus } from './update-status.js'

/** What readiness says about a cluster: whether it serves calls, and the last answer and failure seen. */
export interface Reachability {
  ok: boolean
  lastAnswerAt?: Date
  lastFailure?: { code: string, at: Date }
}

/** When the cluster last answered a call and when one last failed (wall clock), as the transport and the update guard saw it. */
export class CallRecord {
  #lastAnswerAt: number | undefined
  #lastFailure: { code: string, at: number } | undefined

  /** When the cluster last answered an API call, in ms since the epoch. */
  get lastAnswerAt (): number | undefined {
    return this.#lastAnswerAt
  }

  /** The last failure that says the cluster is not serving (not a cancelled call, not our own memory limit). */
  get lastFailure (): { code: string, at: number } | undefined {
    return this.#lastFailure
  }

  /** Notes an answer (any status) to an API call. */
  answered (at = Date.now()): void {
    this.#lastAnswerAt = at
  }

  /** Notes a failure with its code. */
  failed (code: string, at = Date.now()): void {
    this.#lastFailure = { code, at }
  }

  /** Whether the last thing seen was an answer, not a failure. */
  answeredLast (): boolean {
    return this.#lastAnswerAt !== undefined && (this.#lastFailure === undefined || this.#lastAnswerAt >= this.#lastFailure.at)
  }

  /** The record as readiness reports it. */
  facts (ok: boolean): Reachability {
    return {
      ok,
      ...(this.#lastAnswerAt === undefined ? {} : { lastAnswerAt: new Date(this.#lastAnswerAt) }),
      ...(this.#lastFailure === undefined ? {} : { lastFailure: { code: this.#lastFailure.code, at: new Date(this.#lastFailure.at) } })
    }
  }
}

/** What readiness needs from the rest of the connection. */
export interface ReadinessParts {
  record: CallRecord
  /** One unauthenticated `GET /rest/v1/ping` (never a login) with the given deadline (undefined: the call deadline). */
  ping: (deadlineMs: number | undefined) => Promise<RawResponse>
  /** The update guard: whether update mode is on, the probe's deadline in it, and the status file. */
  guard: {
    readonly updating: boolean
    readonly probeDeadlineMs: number | undefined
    answeredNormally: () => void
    status: (maxAgeMs?: number) => Promise<UpdateStatus>
    readonly last: UpdateStatus | undefined
  }
  /** Where calls go now and every node known. */
  nodes: { readonly node: string, knownNodes: () => string[] }
}

/**
 * The cheap view of one cluster connection that health routes read: what is already known (the node, the last
 * update status) and, for readiness, at most one `/ping` per period shared by every prober. It is part of the
 * connection the gate calls tools through, so readiness and tools see the same session, nodes and update mode.
 */
export class Readiness {
  readonly #parts: ReadinessParts
  #probe: Promise<boolean> | undefined
  #probedAt = 0

  constructor (parts: ReadinessParts) {
    this.#parts = parts
  }

  /** Host (and port) of the node calls go to now. */
  get node (): string {
    return this.#parts.nodes.node
  }

  /** Every node address known (host and port). */
  knownNodes (): string[] {
    return this.#parts.nodes.knownNodes()
  }

  /** The last update status read, without asking the cluster (for liveness answers that must never wait). */
  lastUpdateStatus (): UpdateStatus | undefined {
    return this.#parts.guard.last
  }

  /** The update status file's reading, reused while younger than `maxAgeMs` (see HyperCoreClient.updateStatus). */
  async updateStatus (opts: { maxAgeMs?: number } = {}): Promise<UpdateStatus> {
    return await this.#parts.guard.status(opts.maxAgeMs)
  }

  /**
   * Whether the cluster is answering, for readiness probes: true when it answered within `freshMs`; otherwise one
   * unauthenticated `GET /ping` (never a login), shared by concurrent probes and repeated at most every `probeEveryMs`.
   */
  async reachable (freshMs = 30_000, probeEveryMs = 10_000): Promise<Reachability> {
    const { record, guard } = this.#parts
    const now = Date.now()
    const answeredAt = record.lastAnswerAt
    const failedSince = record.lastFailure !== undefined && (answeredAt === undefined || record.lastFailure.at > answeredAt)
    if (answeredAt !== undefined && now - answeredAt < freshMs && !failedSince) return record.facts(true)
    if (this.#probe === undefined && now - this.#probedAt >= probeEveryMs) {
      this.#probedAt = now
      // While an update is known to run, the probe gets the short deadline reads get: the answer is known anyway.
      this.#probe = this.#parts.ping(guard.probeDeadlineMs)
        .then((raw) => {
          const normal = raw.status < 500 && raw.problem === undefined
          if (normal) guard.answeredNormally()
          return normal
        }, () => false)
        .finally(() => { this.#probe = undefined })
    }
    if (this.#probe !== undefined) await this.#probe
    // In update mode only a normal answer counts: the 502 pages of a cluster coming back are answers, not service.
    return record.facts(!guard.updating && record.answeredLast())
  }
}
