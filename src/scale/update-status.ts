/** Where a cluster serves its update progress: outside /rest/v1, no authentication, a static file. The only path the watcher reads. */
export const UPDATE_STATUS_PATH = '/update/update_status.json'

/** idle: the last update finished; updating: one is under way; unknown: the file could not be read and no update was seen. */
export type UpdateState = 'idle' | 'updating' | 'unknown'

/** preparing: downloading (the API still works); applying: installing and rebooting; restarting: the file itself is unreachable mid-update. */
export type UpdatePhase = 'preparing' | 'applying' | 'restarting'

/** What the cluster's update status file says, as far as it could be read. */
export interface UpdateStatus {
  state: UpdateState
  /** 0-100, when the file gives it. */
  percent?: number
  /** The HyperCore version being installed, when the file gives it (not during prepare). */
  toVersion?: string
  phase?: UpdatePhase
  /** The cluster's own words (`statusdetails`, or the prepare step), at most 200 characters. */
  detail?: string
  /** Why the file could not be taken at its word: `no-status-file` (404), `status 502`, `not-json`, or a transport code (SCALE_TIMEOUT, ...). */
  reason?: string
  /** The node (host and port) that was asked. */
  node?: string
  checkedAt: Date
}

/** One attempt to read the file: what came back, or why nothing did. */
export type StatusReading =
  | { kind: 'answer', status: number, /** Parsed JSON when `json`, the text otherwise. */ data: unknown, json: boolean, node: string }
  | { kind: 'failed', code: string, node: string }

/** What a reading says on its own, before the watcher's memory of earlier readings is applied. */
export type ReadingVerdict =
  | { kind: 'file', state: 'idle' | 'updating', percent?: number, toVersion?: string, phase?: UpdatePhase, detail?: string }
  | { kind: 'unreadable', reason: string }

/**
 * Reads one answer the way Scale's field notes say to: idle only when `prepareStatus.state` and
 * `updateStatus.masterState` are both COMPLETE (masterState is absent during prepare, and prepareStatus is COMPLETE
 * again during apply, so neither field alone will do). Anything that is not such a document is unreadable, never idle.
 */
export function interpretReading (reading: StatusReading): ReadingVerdict {
  if (reading.kind === 'failed') return { kind: 'unreadable', reason: reading.code }
  if (reading.status === 404) return { kind: 'unreadable', reason: 'no-status-file' }
  if (reading.status !== 200) return { kind: 'unreadable', reason: `status ${reading.status}` }
  const doc = reading.data
  if (!reading.json || !isObject(doc)) return { kind: 'unreadable', reason: 'not-json' }
  const prepare = isObject(doc.prepareStatus) ? doc.prepareStatus : undefined
  const update = isObject(doc.updateStatus) ? doc.updateStatus : undefined
  if (prepare === undefined && update === undefined) return { kind: 'unreadable', reason: 'not-a-status-document' }
  const prepareState = typeof prepare?.state === 'string' ? prepare.state : undefined
  const masterState = typeof update?.masterState === 'string' ? update.masterState : undefined
  if (prepareState === 'COMPLETE' && masterState === 'COMPLETE') return { kind: 'file', state: 'idle' }
  const percent = Number(update?.percent)
  const toVersion = typeof update?.toVersion === 'string' && update.toVersion !== '' ? update.toVersion : undefined
  const details = isObject(update?.status) && typeof update.status.statusdetails === 'string' ? update.status.statusdetails : undefined
  const preparing = prepareState !== 'COMPLETE'
  const detail = (preparing ? prepareState ?? details : details ?? masterState)?.slice(0, 200)
  return {
    kind: 'file',
    state: 'updating',
    phase: preparing ? 'preparing' : 'applying',
    ...(Number.isFinite(percent) && String(update?.percent).trim() !== '' ? { percent: Math.max(0, Math.min(100, Math.floor(percent))) } : {}),
    ...(toVersion === undefined ? {} : { toVersion }),
    ...(detail === undefined || detail === '' ? {} : { detail })
  }
}

/** How the watcher reads and remembers. */
export interface UpdateWatcherOptions {
  /** One read of the file on the node calls go to now; never throws. */
  read: () => Promise<StatusReading>
  now?: () => number
  /** A reading is reused for this long (default 5 s). */
  cacheMs?: number
  /**
   * After the file said an update runs, an unreadable file (the node rebooting, the web server answering 404 or 502)
   * still counts as that update for this long (default 30 minutes); after that it is unknown again.
   */
  latchMs?: number
}

/**
 * Watches the cluster's update status file. It is read only when asked (the client asks when calls hang or answer
 * 502, and health checks ask), at most once per `cacheMs` whoever asks, with one request shared by concurrent askers.
 *
 * Telling "never updated" from "busy": a cluster that never updated has no file (404 with an HTML page), and so does
 * a node whose web server is coming back mid-update. The watcher tells them apart by what it saw before: once the
 * file has said an update runs, a 404, a 502, garbage, a timeout or a TLS failure means that update goes on
 * (`updating`, phase `restarting`); without such a sighting they mean `unknown`. Neither is ever `idle`: only a file
 * saying both states are COMPLETE is.
 */
export class UpdateWatcher {
  readonly #read: () => Promise<StatusReading>
  readonly #now: () => number
  readonly #cacheMs: number
  readonly #latchMs: number
  #last: UpdateStatus | undefined
  #lastAt = 0
  // The last reading in which the file itself said an update runs.
  #sighting: { status: UpdateStatus, at: number } | undefined
  #inflight: Promise<UpdateStatus> | undefined

  constructor (opts: UpdateWatcherOptions) {
    this.#read = opts.read
    this.#now = opts.now ?? Date.now
    this.#cacheMs = opts.cacheMs ?? 5000
    this.#latchMs = opts.latchMs ?? 30 * 60_000
  }

  /** The last reading, without asking the cluster; undefined before the first. */
  get last (): UpdateStatus | undefined {
    return this.#last
  }

  /** The current status: the cached reading when it is younger than `maxAgeMs` (default the cache time), else a fresh read. */
  async check (maxAgeMs = this.#cacheMs): Promise<UpdateStatus> {
    if (this.#last !== undefined && this.#now() - this.#lastAt < maxAgeMs) return this.#last
    this.#inflight ??= this.#read().then((reading) => this.#record(reading)).finally(() => { this.#inflight = undefined })
    return await this.#inflight
  }

  /** Forgets the cached reading (the API answered normally again), so the next check reads the file. */
  invalidate (): void {
    this.#lastAt = 0
  }

  #record (reading: StatusReading): UpdateStatus {
    const at = this.#now()
    const verdict = interpretReading(reading)
    const base = { node: reading.node, checkedAt: new Date(at) }
    let status: UpdateStatus
    if (verdict.kind === 'file') {
      const { kind: _kind, ...facts } = verdict
      status = { ...facts, ...base }
      this.#sighting = verdict.state === 'updating' ? { status, at } : undefined
    } else if (this.#sighting !== undefined && at - this.#sighting.at < this.#latchMs) {
      const { percent, toVersion } = this.#sighting.status
      status = { state: 'updating', phase: 'restarting', ...(percent === undefined ? {} : { percent }), ...(toVersion === undefined ? {} : { toVersion }), reason: verdict.reason, ...base }
    } else {
      status = { state: 'unknown', reason: verdict.reason, ...base }
    }
    this.#last = status
    this.#lastAt = at
    return status
  }
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
