import { AppError } from '../errors/app-error.js'
import type { Log } from '../observe/logger.js'
import type { ApiMethod } from './canonical-path.js'
import type { CallRecord } from './readiness.js'
import type { RawResponse, Transport } from './transport.js'
import type { CallSite } from './upstream-errors.js'
import { UPDATE_STATUS_PATH, UpdateWatcher, type StatusReading, type UpdateStatus } from './update-status.js'

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

/** Sends one call with the signal and deadline the guard chose (undefined: the call deadline). */
type GuardedSend = (signal: AbortSignal, deadlineMs: number | undefined) => Promise<RawResponse>

/** What the update guard is built from. */
export interface UpdateGuardOptions {
  watch: UpdateWatchOptions
  /** The call deadline (SCALE_TIMEOUT_MS). */
  timeoutMs: number
  /** The clock of the status cache and of the probe period (tests jump it). */
  now: () => number
  transport: Pick<Transport, 'send' | 'site'>
  /** Where calls go now: the status file is read from that node. */
  nodes: { readonly current: string, readonly node: string }
  record: CallRecord
  log: Log
  /** Host of the cluster, for log lines. */
  host: string
}

/**
 * The update mode of one cluster connection. An update runs and the API misbehaves: changes are refused at once,
 * reads get a short deadline. Entered only when a call hung or answered 502 and the update status file then said an
 * update runs; left on a normal answer or an idle file.
 */
export class UpdateGuard {
  readonly #opts: UpdateGuardOptions
  readonly #times: Required<UpdateWatchOptions>
  readonly #watcher: UpdateWatcher
  #updateMode = false
  // When a read sent in update mode last failed the way an update makes calls fail (client clock). Within cacheMs of
  // it, reads answer CLUSTER_UPDATING at once: one read per period finds out whether the API is back.
  #probeFailedAt: number | undefined

  constructor (opts: UpdateGuardOptions) {
    this.#opts = opts
    const { watch, timeoutMs } = opts
    this.#times = {
      cacheMs: watch.cacheMs ?? 5000,
      suspectAfterMs: Math.min(watch.suspectAfterMs ?? 5000, Math.floor(timeoutMs / 2)),
      readDeadlineMs: Math.min(watch.readDeadlineMs ?? 5000, timeoutMs),
      statusDeadlineMs: Math.min(watch.statusDeadlineMs ?? 5000, timeoutMs)
    }
    this.#watcher = new UpdateWatcher({ read: async () => await this.#readStatus(), now: opts.now, cacheMs: this.#times.cacheMs })
  }

  /** Whether update mode is on. */
  get updating (): boolean {
    return this.#updateMode
  }

  /** The deadline of a read sent in update mode; undefined (the call deadline) otherwise. */
  get probeDeadlineMs (): number | undefined {
    return this.#updateMode ? this.#times.readDeadlineMs : undefined
  }

  /** The last update status read, without asking the cluster. */
  get last (): UpdateStatus | undefined {
    return this.#watcher.last
  }

  /** The status file's reading, reused while younger than `maxAgeMs` (default the cache time); never throws. */
  async status (maxAgeMs?: number): Promise<UpdateStatus> {
    const status = await this.#watcher.check(maxAgeMs)
    if (status.state === 'idle') this.#updateMode = false
    return status
  }

  /** Before a call is sent: in update mode, refuses a change, or a read while the last one found the API away. */
  async admit (method: ApiMethod, site: CallSite): Promise<void> {
    if (!this.#updateMode) return
    const update = await this.#watcher.check()
    if (update.state === 'updating') {
      if (method !== 'GET') throw updatingError(update, site, 'not-sent')
      if (this.#probeFailedAt !== undefined && this.#opts.now() - this.#probeFailedAt < this.#times.cacheMs) throw updatingError(update, site, 'not-sent')
    }
    if (update.state === 'idle') this.#updateMode = false
  }

  /**
   * One call with the update watch around it. A call that hangs, loses its connection or meets a 502 page has the
   * status file read; when an update runs, the caller gets CLUSTER_UPDATING instead of the raw failure, and update
   * mode begins. A read still unanswered after suspectAfterMs has the file looked at (and again every
   * suspectAfterMs: a status read that failed once is not the last word), and is abandoned when an update runs; a
   * change is left to its deadline, since its answer may still come. `send` gets the signal to send with and the
   * deadline (undefined: the call deadline).
   */
  async around (method: ApiMethod, site: CallSite, signal: AbortSignal | undefined, send: GuardedSend): Promise<RawResponse> {
    const read = method === 'GET'
    const probe = this.#updateMode && read
    const deadlineMs = probe ? this.#times.readDeadlineMs : undefined
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
      }, this.#times.suspectAfterMs)
      : undefined
    try {
      const raw = await send(inner.signal, deadlineMs)
      if (raw.status >= 502 && raw.status <= 504 && !raw.json) {
        const update = await this.#updateCheck()
        if (probe) this.#probeFailedAt = this.#opts.now()
        if (update !== undefined) throw updatingError(update, site, read ? 'unanswered' : 'maybe-made')
      } else if (raw.status < 500 || raw.json) {
        this.answeredNormally()
      }
      return raw
    } catch (err) {
      if (suspected !== undefined && signal?.aborted !== true) {
        this.#enter(suspected)
        this.#probeFailedAt = this.#opts.now()
        throw updatingError(suspected, site, 'unanswered')
      }
      if (err instanceof AppError && suspectsUpdate(err, this.#opts.record.lastAnswerAt !== undefined)) {
        const update = await this.#updateCheck()
        if (probe) this.#probeFailedAt = this.#opts.now()
        if (update !== undefined) throw updatingError(update, site, read ? 'unanswered' : 'maybe-made')
      }
      throw err
    } finally {
      clearInterval(suspicion)
      signal?.removeEventListener('abort', onCallerGone)
    }
  }

  /** The API answered normally: update mode, if on, ends. */
  answeredNormally (): void {
    if (!this.#updateMode) return
    this.#updateMode = false
    this.#probeFailedAt = undefined
    this.#watcher.invalidate()
    this.#opts.log.info({ cluster: this.#opts.host }, 'the cluster answers normally again: update mode ended')
  }

  // Reads the status file (cached); answers the update when one runs, entering update mode.
  async #updateCheck (): Promise<UpdateStatus | undefined> {
    const status = await this.#watcher.check()
    if (status.state !== 'updating') return undefined
    this.#enter(status)
    return status
  }

  #enter (status: UpdateStatus): void {
    if (!this.#updateMode) {
      const { percent, toVersion, phase } = status
      this.#opts.log.warn({ cluster: this.#opts.host, percent, toVersion, phase }, 'the cluster is applying an update: changes are refused until it is done')
    }
    this.#updateMode = true
    // Readiness: the cluster is not serving calls, whatever answered before.
    this.#opts.record.failed('CLUSTER_UPDATING')
  }

  async #readStatus (): Promise<StatusReading> {
    const { transport, nodes } = this.#opts
    const site: CallSite = { method: 'GET', path: UPDATE_STATUS_PATH, url: nodes.current, timeoutMs: this.#times.statusDeadlineMs }
    const node = nodes.node
    try {
      const raw = await transport.send({ method: 'GET', upstreamPath: UPDATE_STATUS_PATH, site, deadlineMs: this.#times.statusDeadlineMs, track: false })
      return { kind: 'answer', status: raw.status, data: raw.data, json: raw.json && raw.problem === undefined, node: raw.node }
    } catch (err) {
      return { kind: 'failed', code: err instanceof AppError ? err.code : 'UNKNOWN', node }
    }
  }
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
  return new AppError('CLUSTER_UPDATING', `The cluster is applying an update${to}${progress === '' ? '' : ` (${progress})`}; ${what} Calls work again once it is done; /health shows its progress.`, {
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
