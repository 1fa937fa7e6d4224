import { AppError } from '../errors/app-error.js'
import { canonicalTarget, type ApiTarget } from './canonical-path.js'
import { sharedAbortController } from '../lib/abort.js'

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

/** Time as task waits (and the update status cache) see it. */
export interface WaitClock {
  now: () => number
  /** Resolves after `ms`, or as soon as one of the signals is aborted. */
  sleep: (ms: number, signals: AbortSignal[]) => Promise<void>
}

/** The real clock: Date.now and timers. */
export const REAL_CLOCK: WaitClock = { now: Date.now, sleep: sleepUnless }

/** What task polling is built from. */
export interface TaskPollerOptions {
  /** One read of a task record through the whole connection (session, update guard, failover). */
  read: (target: ApiTarget, signal: AbortSignal | undefined) => Promise<{ data: unknown }>
  clock: WaitClock
  /** Delays between polls in ms; the last one repeats (default 100, 250, 500, then every 1000). */
  delays?: number[] | undefined
}

const TERMINAL_STATES = new Set(['COMPLETE', 'ERROR', 'UNINITIALIZED'])
const FAILED_STATES = new Set(['ERROR', 'UNINITIALIZED'])

/** Follows HyperCore tasks (`GET /TaskTag/{tag}`) for one cluster connection, and ends every wait at shutdown. */
export class TaskPoller {
  readonly #opts: TaskPollerOptions
  readonly #delays: number[]
  // Aborted when shutdown begins: task waits stop early so their callers get an answer before the server goes.
  readonly #stopping = sharedAbortController()

  constructor (opts: TaskPollerOptions) {
    this.#opts = opts
    this.#delays = opts.delays ?? [100, 250, 500, 1000]
  }

  /** See HyperCoreClient.waitForTask. */
  async wait (taskTag: string, timeoutMs: number, opts: { onProgress?: ((task: TaskStatus) => void) | undefined, signal?: AbortSignal | undefined } = {}): Promise<TaskStatus> {
    const { clock } = this.#opts
    const deadline = clock.now() + timeoutMs
    const target = canonicalTarget(`/TaskTag/${encodeURIComponent(taskTag)}`)
    const stops = [this.#stopping.signal, ...(opts.signal === undefined ? [] : [opts.signal])]
    let status: TaskStatus = { taskTag, state: 'UNKNOWN', progressPercent: 0, timedOut: false }
    for (let attempt = 0; ; attempt++) {
      const stopped = stops.find((s) => s.aborted)
      if (stopped !== undefined) return { ...status, timedOut: true, interrupted: stopped === this.#stopping.signal ? 'shutdown' : 'cancelled' }
      try {
        status = readTask(taskTag, (await this.#opts.read(target, opts.signal)).data)
      } catch (err) {
        // A task the cluster has no record of (404, an empty list) is gone: it finished long ago or never ran.
        if (err instanceof AppError && err.code === 'SCALE_API_ERROR' && err.statusCode === 404) return { taskTag, state: 'UNKNOWN', progressPercent: 0, timedOut: false }
        if (err instanceof AppError && err.code === 'CANCELLED') return { ...status, timedOut: true, interrupted: 'cancelled' }
        throw err
      }
      if (TERMINAL_STATES.has(status.state)) return status
      opts.onProgress?.(status)
      const delay = this.#delays[Math.min(attempt, this.#delays.length - 1)] ?? 1000
      if (clock.now() + delay > deadline) return { ...status, timedOut: true }
      await clock.sleep(delay, stops)
    }
  }

  /** Ends every wait now (shutdown): each returns the task as it stands, marked interrupted. */
  stop (): void {
    this.#stopping.abort()
  }
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
