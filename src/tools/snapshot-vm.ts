import { Type } from '@sinclair/typebox'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { CHANGE_ROLES, getRecords, plannedCall, readSnapshot, resolveVm, type VmInfo } from './support/cluster-records.js'
import { VM_ARGUMENT } from './get-vm.js'
import { ChangeOkSchema, makeChange, refusalNote, TASK_FIELDS, taskFields } from './support/task-wait.js'
import { formatUnixTime } from './support/units.js'
import { nameArgument } from './support/argument-limits.js'

/** One snapshot as the snapshot tools show it. */
export const SnapshotRowSchema = Type.Object({
  uuid: Type.String(),
  label: Type.String({ description: '"" for most automated snapshots.' }),
  vm: Type.String({ description: 'The VM\'s name when the snapshot was taken.' }),
  type: Type.String({ description: 'USER (taken on request) or AUTOMATED (by a schedule).' }),
  taken: Type.String({ description: 'When, e.g. "2026-01-01T01:00Z"; "" while it is being taken.' })
})

const OutputSchema = Type.Object({
  ok: ChangeOkSchema,
  vm: Type.String(),
  vmUUID: Type.String(),
  snapshot: Type.Optional(SnapshotRowSchema),
  ...TASK_FIELDS
})

interface Prepared {
  vm: VmInfo
  payload: { domainUUID: string, label: string, type: 'USER' }
}

/** `snapshot_vm`: takes a labelled snapshot of a VM and waits for it. */
export default defineTool({
  name: 'snapshot_vm',
  summary: 'Take a snapshot of a VM',
  description: 'Takes a labelled snapshot of a VM and answers its uuid.',
  tags: ['Snapshots'],
  input: Type.Object({
    vm: VM_ARGUMENT,
    label: nameArgument('e.g. "before update".')
  }, { additionalProperties: false }),
  output: OutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  requiresCluster: true,
  roles: CHANGE_ROLES,
  async plan (input, ctx): Promise<Plan<Prepared>> {
    const vm = await resolveVm(requireCluster(ctx), input.vm)
    const payload = { domainUUID: vm.uuid, label: input.label, type: 'USER' as const }
    return {
      // Then the new snapshot is read back by the UUID the cluster answers (reads are judged when they happen).
      calls: [plannedCall(ctx.catalog, 'POST', '/VirDomainSnapshot', { payload, target: { kind: 'VirDomain', uuid: vm.uuid } })],
      prepared: { vm, payload }
    }
  },
  async handler (_input, ctx) {
    const cluster = requireCluster(ctx)
    const { vm, payload } = ctx.plan.prepared
    const followed = await makeChange(cluster, 'POST', '/VirDomainSnapshot', payload, ctx.progress)
    const notes = [...followed.notes, ...refusalNote(followed, 'The cluster did not take the snapshot')]
    let snapshot = followed.createdUUID === undefined ? undefined : { uuid: followed.createdUUID, label: payload.label, vm: vm.name, type: 'USER', taken: '' }
    if (snapshot !== undefined && followed.ok && followed.done) {
      const taken = readSnapshot((await getRecords(cluster, `/VirDomainSnapshot/${snapshot.uuid}`).catch(() => []))[0])
      snapshot = { ...snapshot, taken: formatUnixTime(taken.timestamp) ?? '' }
    }
    return {
      ok: followed.ok,
      vm: vm.name,
      vmUUID: vm.uuid,
      ...(snapshot === undefined || !followed.ok ? {} : { snapshot }),
      ...taskFields(followed, notes)
    }
  }
})
