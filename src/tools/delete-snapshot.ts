import { Type } from '@sinclair/typebox'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { CHANGE_ROLES, plannedCall, resolveSnapshot, type SnapshotInfo } from './cluster-records.js'
import { snapshotRow } from './list-snapshots.js'
import { SnapshotRowSchema } from './snapshot-vm.js'
import { followTask, TaskOutcomeSchema } from './task-wait.js'

const OutputSchema = Type.Object({
  ok: Type.Boolean({ description: 'False when the cluster\'s task failed (task.error says why).' }),
  deleted: SnapshotRowSchema,
  taskTag: Type.Optional(Type.String()),
  task: Type.Optional(TaskOutcomeSchema),
  notes: Type.Optional(Type.Array(Type.String()))
})

/** `delete_snapshot`: deletes one snapshot, named by UUID or exact label. */
export default defineTool({
  name: 'delete_snapshot',
  summary: 'Delete a snapshot',
  description: 'Deletes a snapshot named by its UUID or exact label.',
  tags: ['Snapshots'],
  input: Type.Object({
    snapshot: Type.String({ minLength: 1, description: 'UUID or exact label.' })
  }, { additionalProperties: false }),
  output: OutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  requiresCluster: true,
  roles: CHANGE_ROLES,
  async plan (input, ctx): Promise<Plan<SnapshotInfo>> {
    const snap = await resolveSnapshot(requireCluster(ctx), input.snapshot)
    return { calls: [plannedCall(ctx.catalog, 'DELETE', `/VirDomainSnapshot/${snap.uuid}`, { target: { kind: 'VirDomainSnapshot', uuid: snap.uuid } })], prepared: snap }
  },
  async handler (_input, ctx) {
    const cluster = requireCluster(ctx)
    const snap = ctx.plan.prepared
    const res = await cluster.call('DELETE', `/VirDomainSnapshot/${snap.uuid}`)
    const followed = await followTask(cluster, res.data, { progress: ctx.progress })
    const notes = [...followed.notes]
    if (!followed.ok) notes.push(`The cluster did not delete it: ${followed.task?.error ?? 'the task failed'}.`)
    return {
      ok: followed.ok,
      deleted: snapshotRow(snap),
      ...(followed.taskTag === undefined ? {} : { taskTag: followed.taskTag }),
      ...(followed.task === undefined ? {} : { task: followed.task }),
      ...(notes.length === 0 ? {} : { notes })
    }
  }
})
