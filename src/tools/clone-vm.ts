import { Type } from '@sinclair/typebox'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { CHANGE_ROLES, findVm, namesakeNote, namesakes, plannedCall, resolveSnapshot, resolveVm, type SnapshotInfo, type VmInfo } from './support/cluster-records.js'
import { VM_ARGUMENT } from './get-vm.js'
import { ChangeOkSchema, makeChange, refusalNote, TASK_FIELDS, taskFields } from './support/task-wait.js'
import { nameArgument } from './support/argument-limits.js'

/** A VM a clone or an import made. */
export const NewVmSchema = Type.Object({
  uuid: Type.String(),
  name: Type.String(),
  state: Type.String({ description: 'A new VM starts SHUTOFF; "" while the cluster is still making it.' })
})

const OutputSchema = Type.Object({
  ok: ChangeOkSchema,
  source: Type.String({ description: 'The VM cloned.' }),
  fromSnapshot: Type.Optional(Type.String({ description: 'UUID of the snapshot cloned from.' })),
  clone: Type.Optional(NewVmSchema),
  ...TASK_FIELDS
})

interface Prepared {
  vm: VmInfo
  snapshot?: SnapshotInfo
  payload: { template: { name: string }, snapUUID?: string }
}

/** `clone_vm`: a new VM from a VM (as it is now or as a snapshot kept it). */
export default defineTool({
  name: 'clone_vm',
  summary: 'Clone a VM',
  description: 'New VM (off) named name, copied from a VM as it is now or from its snapshot fromSnapshot.',
  tags: ['VMs'],
  input: Type.Object({
    vm: VM_ARGUMENT,
    name: nameArgument('Name of the new VM.'),
    fromSnapshot: Type.Optional(nameArgument('Snapshot UUID or label.'))
  }, { additionalProperties: false }),
  output: OutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  requiresCluster: true,
  roles: CHANGE_ROLES,
  async plan (input, ctx): Promise<Plan<Prepared>> {
    const cluster = requireCluster(ctx)
    const vm = await resolveVm(cluster, input.vm)
    const snapshot = input.fromSnapshot === undefined ? undefined : await resolveSnapshot(cluster, input.fromSnapshot, vm.uuid)
    const payload = { template: { name: input.name.trim() }, ...(snapshot === undefined ? {} : { snapUUID: snapshot.uuid }) }
    return {
      calls: [plannedCall(ctx.catalog, 'POST', `/VirDomain/${vm.uuid}/clone`, { payload, target: { kind: 'VirDomain', uuid: vm.uuid } }), plannedCall(ctx.catalog, 'GET', '/VirDomain')],
      prepared: { vm, payload, ...(snapshot === undefined ? {} : { snapshot }) }
    }
  },
  async handler (_input, ctx) {
    const cluster = requireCluster(ctx)
    const { vm, payload, snapshot } = ctx.plan.prepared
    const followed = await makeChange(cluster, 'POST', `/VirDomain/${vm.uuid}/clone`, payload, ctx.progress)
    const notes = [...followed.notes, ...refusalNote(followed, 'The cluster did not make the clone')]
    let clone: { uuid: string, name: string, state: string } | undefined
    if (followed.ok && followed.createdUUID !== undefined) {
      const others = await namesakes(cluster, payload.template.name, followed.createdUUID)
      const made = followed.done ? await findVm(cluster, followed.createdUUID) : undefined
      clone = { uuid: followed.createdUUID, name: payload.template.name, state: made?.state ?? '' }
      notes.push(...namesakeNote(payload.template.name, others))
    }
    return {
      ok: followed.ok,
      source: vm.name,
      ...(snapshot === undefined ? {} : { fromSnapshot: snapshot.uuid }),
      ...(clone === undefined ? {} : { clone }),
      ...taskFields(followed, notes)
    }
  }
})
