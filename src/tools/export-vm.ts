import { Type } from '@sinclair/typebox'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { CHANGE_ROLES, plannedCall, resolveVm, type VmInfo } from './support/cluster-records.js'
import { VM_ARGUMENT } from './get-vm.js'
import { checkShareUri, maskShareUri } from './support/share-uri.js'
import { ChangeOkSchema, makeChange, refusalNote, TASK_FIELDS, taskFields } from './support/task-wait.js'
import { MAX_URI_LENGTH } from './support/argument-limits.js'

const OutputSchema = Type.Object({
  ok: ChangeOkSchema,
  vm: Type.String(),
  uuid: Type.String(),
  target: Type.String({ description: 'Where it went, the password shown as ***.' }),
  ...TASK_FIELDS
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
    target: Type.String({ minLength: 1, maxLength: MAX_URI_LENGTH, description: 'e.g. smb://user:password@server/share/folder.' })
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
    const followed = await makeChange(cluster, 'POST', `/VirDomain/${vm.uuid}/export`, payload, ctx.progress)
    const notes = [...followed.notes, ...refusalNote(followed, 'The export failed')]
    return {
      ok: followed.ok,
      vm: vm.name,
      uuid: vm.uuid,
      target: maskShareUri(payload.target.pathURI),
      ...taskFields(followed, notes)
    }
  }
})
