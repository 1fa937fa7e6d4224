import { Type } from '@sinclair/typebox'
import { isAppError } from '../errors/app-error.js'
import { validationError } from '../gate/normalise.js'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { getRecords, plannedCall } from './support/cluster-records.js'
import { HOST_SAFE_WAIT_SECONDS } from './support/task-wait.js'
import { MAX_TASK_TAG_LENGTH } from './support/argument-limits.js'

const FAILED = new Set(['ERROR', 'UNINITIALIZED'])
const ENDED = new Set(['COMPLETE', ...FAILED])

const OutputSchema = Type.Object({
  taskTag: Type.String(),
  state: Type.String({ description: 'QUEUED, RUNNING, COMPLETE, ERROR or UNINITIALIZED; UNKNOWN when the cluster has no record of it.' }),
  progressPercent: Type.Number(),
  done: Type.Boolean({ description: 'True once it has ended.' }),
  ok: Type.Boolean({ description: 'False when it failed (message says why).' }),
  description: Type.String({ description: 'What the task does, in the cluster\'s words.' }),
  message: Type.String({ description: 'The cluster\'s message, e.g. why it failed; often "".' }),
  objectUUID: Type.String({ description: 'The record it is about; "" when none.' }),
  notes: Type.Optional(Type.Array(Type.String()))
})

function str (value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** `task_status`: where a cluster task stands, optionally waiting (within the host-safe wait) for it to end. */
export default defineTool({
  name: 'task_status',
  summary: 'Check a cluster task',
  description: 'Where a change\'s task stands: state, progress, message. Check here; never repeat the change.',
  tags: ['Tasks'],
  input: Type.Object({
    taskTag: Type.String({ minLength: 1, maxLength: MAX_TASK_TAG_LENGTH, description: 'From a change\'s answer.' }),
    wait: Type.Optional(Type.Integer({ minimum: 0, maximum: HOST_SAFE_WAIT_SECONDS, description: 'Seconds to wait for it to end.' }))
  }, { additionalProperties: false }),
  output: OutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  requiresCluster: true,
  async plan (input, ctx): Promise<Plan<string>> {
    const tag = input.taskTag.trim()
    if (!/^[A-Za-z0-9._:-]{1,100}$/.test(tag)) throw validationError('task_status', [{ field: 'taskTag', message: 'must be a task tag as a change answered it (letters, digits, . _ : -)' }])
    return { calls: [plannedCall(ctx.catalog, 'GET', `/TaskTag/${tag}`)], prepared: tag }
  },
  async handler (input, ctx) {
    const cluster = requireCluster(ctx)
    const tag = ctx.plan.prepared
    const notes: string[] = []
    const seconds = input.wait ?? 0
    if (seconds > 0) {
      const waited = await cluster.waitForTask(tag, seconds * 1000, {
        onProgress: (t) => ctx.progress?.({ progress: t.progressPercent, total: 100, message: `task ${tag} ${t.state}` })
      })
      if (waited.interrupted !== undefined) notes.push(`The wait stopped early (${waited.interrupted === 'shutdown' ? 'this server is shutting down' : 'the request was cancelled'}); the task goes on in the cluster.`)
      else if (waited.timedOut) notes.push(`It was still ${waited.state} after ${seconds} s and goes on by itself; ask again later.`)
    }
    let record: Record<string, unknown> | undefined
    try {
      record = (await getRecords(cluster, `/TaskTag/${tag}`))[0] as Record<string, unknown> | undefined
    } catch (err) {
      if (!(isAppError(err) && err.code === 'SCALE_API_ERROR' && err.statusCode === 404)) throw err
    }
    if (record === undefined) {
      notes.push('The cluster has no record of this task: it ended long ago, or the tag is wrong. Check the record it changed instead.')
      return { taskTag: tag, state: 'UNKNOWN', progressPercent: 0, done: true, ok: true, description: '', message: '', objectUUID: '', notes }
    }
    const state = str(record.state) || 'UNKNOWN'
    const objectUUIDs = Array.isArray(record.objectUUIDs) ? record.objectUUIDs : []
    return {
      taskTag: tag,
      state,
      progressPercent: typeof record.progressPercent === 'number' ? record.progressPercent : ENDED.has(state) ? 100 : 0,
      done: ENDED.has(state),
      ok: !FAILED.has(state),
      description: str(record.formattedDescription),
      message: str(record.formattedMessage),
      objectUUID: str(record.objectUUID) || str(objectUUIDs[0]),
      ...(notes.length === 0 ? {} : { notes })
    }
  }
})
