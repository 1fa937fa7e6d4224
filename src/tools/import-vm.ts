import { Type } from '@sinclair/typebox'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { CHANGE_ROLES, findVm, namesakeNote, namesakes, plannedCall } from './support/cluster-records.js'
import { NewVmSchema } from './clone-vm.js'
import { checkShareUri, maskShareUri } from './support/share-uri.js'
import { ChangeOkSchema, makeChange, refusalNote, TASK_FIELDS, taskFields } from './support/task-wait.js'
import { MAX_URI_LENGTH, nameArgument } from './support/argument-limits.js'

const OutputSchema = Type.Object({
  ok: ChangeOkSchema,
  source: Type.String({ description: 'Where it came from, the password shown as ***.' }),
  vm: Type.Optional(NewVmSchema),
  ...TASK_FIELDS
})

interface Prepared {
  payload: { source: { pathURI: string }, template: { name: string } }
}

/** `import_vm`: a new VM from an export on an SMB share; the share's password never appears in answers or logs. */
export default defineTool({
  name: 'import_vm',
  summary: 'Import a VM from an SMB share',
  description: 'New VM named name from an export_vm folder (password never shown back). Takes minutes: follow taskTag with task_status.',
  tags: ['VMs'],
  input: Type.Object({
    source: Type.String({ minLength: 1, maxLength: MAX_URI_LENGTH, description: 'e.g. smb://user:password@server/share/folder.' }),
    name: nameArgument('Name of the new VM.')
  }, { additionalProperties: false }),
  output: OutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  requiresCluster: true,
  roles: CHANGE_ROLES,
  async plan (input, ctx): Promise<Plan<Prepared>> {
    const pathURI = checkShareUri('import_vm', 'source', input.source, ['smb', 'http', 'https'])
    const payload = { source: { pathURI }, template: { name: input.name.trim() } }
    return { calls: [plannedCall(ctx.catalog, 'POST', '/VirDomain/import', { payload }), plannedCall(ctx.catalog, 'GET', '/VirDomain')], prepared: { payload } }
  },
  async handler (_input, ctx) {
    const cluster = requireCluster(ctx)
    const { payload } = ctx.plan.prepared
    const followed = await makeChange(cluster, 'POST', '/VirDomain/import', payload, ctx.progress)
    const notes = [...followed.notes, ...refusalNote(followed, 'The import failed')]
    let vm: { uuid: string, name: string, state: string } | undefined
    if (followed.ok && followed.createdUUID !== undefined) {
      const made = followed.done ? await findVm(cluster, followed.createdUUID) : undefined
      vm = { uuid: followed.createdUUID, name: payload.template.name, state: made?.state ?? '' }
      notes.push(...namesakeNote(payload.template.name, await namesakes(cluster, payload.template.name, followed.createdUUID)))
    }
    return {
      ok: followed.ok,
      source: maskShareUri(payload.source.pathURI),
      ...(vm === undefined ? {} : { vm }),
      ...taskFields(followed, notes)
    }
  }
})
