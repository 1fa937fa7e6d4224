import { Type } from '@sinclair/typebox'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { CHANGE_ROLES, plannedCall, resolveSnapshot, type SnapshotInfo } from './support/cluster-records.js'
import { snapshotRow } from './list-snapshots.js'
import { SnapshotRowSchema } from './snapshot-vm.js'
import { ChangeOkSchema, makeChange, refusalNote, TASK_FIELDS, taskFields } from './support/task-wait.js'
import { nameArgument } from './support/argument-limits.js'

const OutputSchema = Type.Object({
  ok: ChangeOkSchema,
  deleted: SnapshotRowSchema,
  ...TASK_FIELDS
})

/** `delete_snapshot`: deletes one snapshot, named by UUID or exact label. */
export default defineTool({
  name: 'delete_snapshot',
  summary: 'Delete a snapshot',
  description: 'Deletes a snapshot named by its UUID or exact label.',
  tags: ['Snapshots'],
  input: Type.Object({
    snapshot: nameArgument('UUID or exact label.')
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
    const followed = await makeChange(cluster, 'DELETE', `/VirDomainSnapshot/${snap.uuid}`, undefined, ctx.progress)
    const notes = [...followed.notes, ...refusalNote(followed, 'The cluster did not delete it')]
    return {
      ok: followed.ok,
      deleted: snapshotRow(snap),
      ...taskFields(followed, notes)
    }
  }
})
