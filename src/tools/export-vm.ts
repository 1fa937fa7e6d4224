import { Type } from '@sinclair/typebox'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { CHANGE_ROLES, plannedCall, resolveVm, type VmInfo } from './cluster-records.js'
import { VM_ARGUMENT } from './get-vm.js'
import { checkShareUri, maskShareUri } from './share-uri.js'
import { followTask, TaskOutcomeSchema } from './task-wait.js'

const OutputSchema = Type.Object({
  ok: Type.Boolean({ description: 'False when the cluster\'s task failed (task.error says why).' }),
  vm: Type.String(),
  uuid: Type.String(),
  target: Type.String({ description: 'Where it went, the password shown as ***.' }),
  taskTag: Type.Optional(Type.String()),
  task: Type.Optional(TaskOutcomeSchema),
  notes: Type.Optional(Type.Array(Type.String()))
})

interface Prepared {
  vm: VmInfo
  payload: { target: { pathURI: string } }
}

/** `export_vm`: writes a VM (definition and disks) to an SMB share; the share's password never appears in answers or logs. */
export default defineTool({
  name: 'export_vm',
  summary: 'Export a VM to an SMB share',
  description: 'Exports a VM to an SMB folder (password never shown back). Takes minutes: follow taskTag with task_status.',
  tags: ['VMs'],
  input: Type.Object({
    vm: VM_ARGUMENT,
    target: Type.String({ minLength: 1, description: 'e.g. smb://user:password@server/share/folder.' })
  }, { additionalProperties: false }),
  output: OutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  requiresCluster: true,
  roles: CHANGE_ROLES,
  async plan (input, ctx): Promise<Plan<Prepared>> {
    const pathURI = checkShareUri('export_vm', 'target', input.target, ['smb'])
    const vm = await resolveVm(requireCluster(ctx), input.vm)
    const payload = { target: { pathURI } }
    return { calls: [plannedCall(ctx.catalog, 'POST', `/VirDomain/${vm.uuid}/export`, { payload, target: { kind: 'VirDomain', uuid: vm.uuid } })], prepared: { vm, payload } }
  },
  async handler (_input, ctx) {
    const cluster = requireCluster(ctx)
    const { vm, payload } = ctx.plan.prepared
    const res = await cluster.call('POST', `/VirDomain/${vm.uuid}/export`, { body: payload })
    const followed = await followTask(cluster, res.data, { progress: ctx.progress })
    const notes = [...followed.notes]
    if (!followed.ok) notes.push(`The export failed: ${followed.task?.error ?? 'the task failed'}.`)
    return {
      ok: followed.ok,
      vm: vm.name,
      uuid: vm.uuid,
      target: maskShareUri(payload.target.pathURI),
      ...(followed.taskTag === undefined ? {} : { taskTag: followed.taskTag }),
      ...(followed.task === undefined ? {} : { task: followed.task }),
      ...(notes.length === 0 ? {} : { notes })
    }
  }
})
