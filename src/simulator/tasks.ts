import type { Logger } from 'pino'
import { systemClock, type SimClock } from './clock.js'

/** Thrown inside a task's work to end the task in ERROR with this message. */
export class TaskFailure extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'TaskFailure'
  }
}

/** What a caller asks the engine to do in the background. */
export interface TaskSpec {
  /** Human-readable summary, e.g. `Start VM "web01"`. */
  description: string
  /** Records the task is about; the first is the record's `objectUUID`. */
  objectUUIDs?: string[]
  /** Nodes the task runs on (a VM's node for power actions); empty for cluster-wide work. */
  nodeUUIDs?: string[]
  /** The change itself; runs once when the task finishes. Throw TaskFailure to fail the task. */
  run?: () => void
}

/** The status record `GET /TaskTag/{taskTag}` returns, with the fields real clusters report. */
export interface TaskTagStatus {
  taskTag: string
  progressPercent: number
  state: 'QUEUED' | 'RUNNING' | 'COMPLETE' | 'ERROR'
  formattedDescription: string
  descriptionParameters: string[]
  formattedMessage: string
  messageParameters: string[]
  /** The record the task is about ('' when none). */
  objectUUID: string
  /** Every record the task is about (the 9.4 schema's list form). */
  objectUUIDs: string[]
  created: number
  modified: number
  completed: number
  /** The session that started the task ('' for HTTP Basic callers); a secret, as on a real cluster. */
  sessionID: string
  nodeUUIDs: string[]
}

interface Task {
  tag: string
  spec: TaskSpec
  sessionID: string
  createdAt: number
  dueAt: number
  outcome?: { state: 'COMPLETE' | 'ERROR', message: string, at: number }
}

// Tasks kept for GET /TaskTag; the oldest finished ones are forgotten beyond this.
const MAX_TASKS = 10_000
// Share of a task's time spent QUEUED before it is reported RUNNING.
const QUEUED_SHARE = 0.2

/** Runs mutations as HyperCore-style tasks: QUEUED, then RUNNING, then COMPLETE or ERROR after `durationMs` on the clock. */
export class TaskEngine {
  readonly #tasks = new Map<string, Task>()
  // Unfinished tasks in creation order; all share one duration, so this is also due order.
  readonly #pending: Task[] = []
  readonly #durationMs: number
  readonly #log: Logger
  readonly #clock: SimClock
  #nextTag: number
  #cancelTimer: (() => void) | undefined
  #closed = false
  #sessionID = ''

  constructor (opts: { durationMs: number, log: Logger, firstTag?: number, clock?: SimClock }) {
    this.#durationMs = Math.max(0, opts.durationMs)
    this.#log = opts.log
    this.#clock = opts.clock ?? systemClock
    this.#nextTag = opts.firstTag ?? 1
  }

  /** Runs `fn` with tasks it starts attributed to this session (the request's `sessionID` cookie, or '' for Basic auth). */
  runAs<T> (sessionID: string, fn: () => T): T {
    const before = this.#sessionID
    this.#sessionID = sessionID
    try {
      return fn()
    } finally {
      this.#sessionID = before
    }
  }

  /** Starts a task and returns its tag. */
  start (spec: TaskSpec): string {
    const tag = String(this.#nextTag++)
    const now = this.#clock.now()
    const task: Task = { tag, spec, sessionID: this.#sessionID, createdAt: now, dueAt: now + this.#durationMs }
    this.#tasks.set(tag, task)
    this.#pending.push(task)
    this.#log.debug({ taskTag: tag, description: spec.description }, 'task queued')
    this.#schedule()
    this.#evict()
    return tag
  }

  /** The current status of a task, or undefined for an unknown tag. */
  status (tag: string): TaskTagStatus | undefined {
    this.settle()
    const task = this.#tasks.get(tag)
    return task === undefined ? undefined : this.#view(task, this.#clock.now())
  }

  /** Every known task's status, oldest first. */
  list (): TaskTagStatus[] {
    this.settle()
    const now = this.#clock.now()
    return [...this.#tasks.values()].map((task) => this.#view(task, now))
  }

  /** How many tasks are still QUEUED or RUNNING. */
  get pendingCount (): number {
    this.settle()
    return this.#pending.length
  }

  /** Finishes every task that is due, in the order they were started. */
  settle (now = this.#clock.now()): void {
    while (this.#pending.length > 0 && (this.#pending[0] as Task).dueAt <= now) {
      this.#finish(this.#pending.shift() as Task)
    }
  }

  /** Finishes every pending task now, whatever its due time (for a clean stop or a test). */
  drain (): void {
    this.settle(Number.POSITIVE_INFINITY)
  }

  /** Stops the timer; pending tasks stay unfinished. */
  close (): void {
    this.#closed = true
    this.#cancelTimer?.()
    this.#cancelTimer = undefined
  }

  #finish (task: Task): void {
    let state: 'COMPLETE' | 'ERROR' = 'COMPLETE'
    let message = ''
    try {
      task.spec.run?.()
    } catch (err) {
      state = 'ERROR'
      if (err instanceof TaskFailure) {
        message = err.message
      } else {
        message = 'An internal error occurred while running the task'
        this.#log.error({ err, taskTag: task.tag }, 'task failed unexpectedly')
      }
    }
    task.outcome = { state, message, at: Math.max(this.#clock.now(), task.createdAt) }
    this.#log.debug({ taskTag: task.tag, state }, 'task finished')
  }

  #view (task: Task, now: number): TaskTagStatus {
    const created = Math.floor(task.createdAt / 1000)
    const objectUUIDs = task.spec.objectUUIDs ?? []
    const base = {
      taskTag: task.tag,
      formattedDescription: task.spec.description,
      descriptionParameters: [],
      messageParameters: [],
      objectUUID: objectUUIDs[0] ?? '',
      objectUUIDs,
      created,
      sessionID: task.sessionID,
      nodeUUIDs: task.spec.nodeUUIDs ?? []
    }
    if (task.outcome !== undefined) {
      const at = Math.floor(task.outcome.at / 1000)
      return { ...base, state: task.outcome.state, progressPercent: 100, formattedMessage: task.outcome.message, modified: at, completed: at }
    }
    const span = Math.max(1, task.dueAt - task.createdAt)
    const elapsed = (now - task.createdAt) / span
    if (elapsed < QUEUED_SHARE) {
      return { ...base, state: 'QUEUED', progressPercent: 0, formattedMessage: '', modified: created, completed: 0 }
    }
    const progress = Math.min(99, Math.max(1, Math.round(((elapsed - QUEUED_SHARE) / (1 - QUEUED_SHARE)) * 100)))
    return { ...base, state: 'RUNNING', progressPercent: progress, formattedMessage: '', modified: Math.floor(now / 1000), completed: 0 }
  }

  #schedule (): void {
    if (this.#closed || this.#cancelTimer !== undefined) return
    const head = this.#pending[0]
    if (head === undefined) return
    this.#cancelTimer = this.#clock.setTimer(Math.max(0, head.dueAt - this.#clock.now()), () => {
      this.#cancelTimer = undefined
      this.settle()
      this.#schedule()
    })
  }

  #evict (): void {
    if (this.#tasks.size <= MAX_TASKS) return
    for (const [tag, task] of this.#tasks) {
      if (this.#tasks.size <= MAX_TASKS) break
      if (task.outcome !== undefined) this.#tasks.delete(tag)
    }
  }
}
