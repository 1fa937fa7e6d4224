import { Type, type Static } from '@sinclair/typebox'
import { isAppError } from '../../errors/app-error.js'
import type { ClusterAccess } from '../../gate/cluster-access.js'
import type { Progress } from '../../gate/tool.js'

/** How long the typed tools follow a task: hosts give up on a call after 30-60 s, so a wait ends well before. */
export const HOST_SAFE_WAIT_SECONDS = 20

/** Where a task stands after following it, as the typed tools answer it. */
export const TaskOutcomeSchema = Type.Object({
  state: Type.String({ description: 'QUEUED, RUNNING, COMPLETE, ERROR or UNINITIALIZED (UNKNOWN when the cluster has no record of it).' }),
  progressPercent: Type.Number({ description: 'How far it has come, 0-100.' }),
  error: Type.Optional(Type.String({ description: 'The cluster\'s message when it failed.' }))
}, { description: 'The task the change started, as it stood when the wait ended.' })

/** `ok` of a tool that makes a change. */
export const ChangeOkSchema = Type.Boolean({ description: 'False when the cluster\'s task failed (task.error says why).' })

/** The answer fields every change tool has about the task it started, to spread into its output schema. */
export const TASK_FIELDS = {
  taskTag: Type.Optional(Type.String({ description: 'The task the change started; follow it with task_status.' })),
  task: Type.Optional(TaskOutcomeSchema),
  notes: Type.Optional(Type.Array(Type.String({ description: 'A note.' }), { description: 'What else to know: waits, masking, next steps.' }))
}

/** Static type of TaskOutcomeSchema. */
export type TaskOutcome = Static<typeof TaskOutcomeSchema>

/** What following a change's task found. */
export interface FollowedTask {
  /** False when the task failed. */
  ok: boolean
  /** The task's tag; absent when the change took effect at once (an empty taskTag). */
  taskTag?: string
  createdUUID?: string
  task?: TaskOutcome
  /** True once the task has ended (COMPLETE or failed), or when there was no task. */
  done: boolean
  notes: string[]
}

function field (answer: unknown, key: 'taskTag' | 'createdUUID'): string | undefined {
  const value = answer !== null && typeof answer === 'object' && !Array.isArray(answer) ? (answer as Record<string, unknown>)[key] : undefined
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** Options of `followTask`. */
export interface FollowOptions {
  progress?: (p: Progress) => void
  /** How long to follow it (default HOST_SAFE_WAIT_SECONDS). */
  seconds?: number
  /** How to check the task later, for the notes (default: task_status). */
  checkWith?: (taskTag: string) => string
}

/**
 * Follows the task a change answered with (`{taskTag, createdUUID}`) for up to `seconds`, reporting progress.
 * A task still running then, or a wait cut short, is said in a note with how to follow it: never repeat the change.
 */
export async function followTask (cluster: ClusterAccess, answer: unknown, opts: FollowOptions = {}): Promise<FollowedTask> {
  const taskTag = field(answer, 'taskTag')
  const createdUUID = field(answer, 'createdUUID')
  const base = createdUUID === undefined ? {} : { createdUUID }
  if (taskTag === undefined) return { ok: true, done: true, notes: [], ...base }
  const seconds = opts.seconds ?? HOST_SAFE_WAIT_SECONDS
  const notes: string[] = []
  try {
    const task = await cluster.waitForTask(taskTag, seconds * 1000, {
      onProgress: (t) => opts.progress?.({ progress: t.progressPercent, total: 100, message: `task ${taskTag} ${t.state}` })
    })
    const outcome: TaskOutcome = { state: task.state, progressPercent: task.progressPercent, ...(task.error === undefined ? {} : { error: task.error }) }
    const checkWith = opts.checkWith ?? ((tag: string) => `task_status {"taskTag": "${tag}"}`)
    const later = `check it with ${checkWith(taskTag)}; do not send the change again`
    if (task.interrupted === 'shutdown') notes.push(`This server is shutting down, so it stopped following task ${taskTag} (${task.state}); the task goes on in the cluster: ${later}.`)
    else if (task.interrupted === 'cancelled') notes.push(`The request was cancelled, so following task ${taskTag} stopped (${task.state}); the task goes on in the cluster: ${later}.`)
    else if (task.timedOut) notes.push(`The task was still ${task.state} after ${seconds} s and goes on by itself: ${later}.`)
    const done = !task.timedOut
    return { ok: task.error === undefined, taskTag, task: outcome, done, notes, ...base }
  } catch (err) {
    // The change was accepted: failing the call would invite the caller to repeat it.
    const checkWith = opts.checkWith ?? ((tag: string) => `task_status {"taskTag": "${tag}"}`)
    notes.push(`The change was accepted but following task ${taskTag} failed (${isAppError(err) ? `${err.code}: ${err.message}` : String(err)}); check it with ${checkWith(taskTag)}.`)
    return { ok: true, taskTag, done: false, notes, ...base }
  }
}

/** Sends one planned change and follows the task it starts (progress reported): what every change tool does. */
export async function makeChange (cluster: ClusterAccess, method: string, path: string, body: unknown, progress?: (p: Progress) => void): Promise<FollowedTask> {
  const res = await cluster.call(method, path, body === undefined ? {} : { body })
  return await followTask(cluster, res.data, { progress })
}

/** A note saying the cluster's task failed and why, or none. */
export function refusalNote (followed: FollowedTask, what: string): string[] {
  return followed.ok ? [] : [`${what}: ${followed.task?.error ?? 'the task failed'}.`]
}

/** An answer's taskTag, task and notes, each only when there is something to say. */
export function taskFields (followed: FollowedTask, notes: string[]): { taskTag?: string, task?: TaskOutcome, notes?: string[] } {
  return {
    ...(followed.taskTag === undefined ? {} : { taskTag: followed.taskTag }),
    ...(followed.task === undefined ? {} : { task: followed.task }),
    ...(notes.length === 0 ? {} : { notes })
  }
}
