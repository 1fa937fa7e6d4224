import { Type } from '@sinclair/typebox'
import { AppError } from '../errors/app-error.js'
import { validationError } from '../gate/normalise.js'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { StringEnum } from '../schemas.js'
import { CHANGE_ROLES, findVm, nodeLabel, nodesForLabels, plannedCall, resolveNode, resolveVm } from './support/cluster-records.js'
import { VM_ARGUMENT } from './get-vm.js'
import { judgeAction, VM_ACTIONS, type VmAction } from './support/power-rules.js'
import { ChangeOkSchema, HOST_SAFE_WAIT_SECONDS, makeChange, refusalNote, TASK_FIELDS, taskFields } from './support/task-wait.js'
import { MAX_NODE_LENGTH } from './support/argument-limits.js'

const InputSchema = Type.Object({
  vm: VM_ARGUMENT,
  action: StringEnum(VM_ACTIONS, { description: `One of ${VM_ACTIONS.join(', ')}.` }),
  node: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_NODE_LENGTH, description: 'Node LAN IP, for LIVEMIGRATE or START.' }))
}, { additionalProperties: false })

const OutputSchema = Type.Object({
  ok: ChangeOkSchema,
  changed: Type.Boolean({ description: 'False when nothing was sent because the VM was already there.' }),
  vm: Type.String(),
  uuid: Type.String(),
  action: Type.String(),
  previousState: Type.String(),
  state: Type.String({ description: 'The VM\'s state now.' }),
  node: Type.String({ description: 'LAN address of the node it runs on now; "" when off.' }),
  ...TASK_FIELDS
})

interface Prepared {
  uuid: string
  name: string
  state: string
  nodeUUID: string
  /** Why nothing is sent, when nothing is. */
  noChange?: string
  payload?: Array<Record<string, string>>
}

/** `vm_action`: a power action with the state rules applied first, followed to its end within the host-safe wait. */
export default defineTool({
  name: 'vm_action',
  summary: 'Power a VM on or off, reboot, pause or move it',
  description: 'Power action on a VM (START also resumes, SHUTDOWN is graceful, STOP powers off, LIVEMIGRATE needs node). ' +
    `Already done: nothing sent, changed=false; impossible in its state: refused. Waits up to ${HOST_SAFE_WAIT_SECONDS} s for the new state.`,
  tags: ['VMs'],
  input: InputSchema,
  output: OutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  requiresCluster: true,
  roles: CHANGE_ROLES,
  async plan (input, ctx): Promise<Plan<Prepared>> {
    const action = input.action as VmAction
    if (action === 'LIVEMIGRATE' && input.node === undefined) throw validationError('vm_action', [{ field: 'node', message: 'is required for LIVEMIGRATE: the node to move the VM to' }])
    if (input.node !== undefined && action !== 'LIVEMIGRATE' && action !== 'START') throw validationError('vm_action', [{ field: 'node', message: 'is only used by START and LIVEMIGRATE' }])
    const cluster = requireCluster(ctx)
    const vm = await resolveVm(cluster, input.vm)
    const node = input.node === undefined ? undefined : await resolveNode(cluster, input.node)
    const base = { uuid: vm.uuid, name: vm.name, state: vm.state, nodeUUID: vm.nodeUUID }
    const verdict = judgeAction(action, vm.state, { nodeUUID: vm.nodeUUID, ...(node === undefined ? {} : { target: { uuid: node.uuid, label: nodeLabel(node), online: node.online } }) })
    if (verdict.kind === 'refuse') {
      throw new AppError('ACTION_NOT_ALLOWED', `${action} was not sent to VM ${vm.name}: ${verdict.why}.`, { details: { vm: vm.name, uuid: vm.uuid, state: vm.state, action } })
    }
    if (verdict.kind === 'no-change') return { calls: [], prepared: { ...base, noChange: verdict.why } }
    const payload = [{ virDomainUUID: vm.uuid, actionType: action, ...(node === undefined ? {} : { nodeUUID: node.uuid }) }]
    return {
      calls: [
        plannedCall(ctx.catalog, 'POST', '/VirDomain/action', { payload, target: { kind: 'VirDomain', uuid: vm.uuid } }),
        plannedCall(ctx.catalog, 'GET', `/VirDomain/${vm.uuid}`),
        plannedCall(ctx.catalog, 'GET', '/Node')
      ],
      prepared: { ...base, payload }
    }
  },
  async handler (input, ctx) {
    const cluster = requireCluster(ctx)
    const p = ctx.plan.prepared
    const nodes = new Map((await nodesForLabels(cluster)).map((n) => [n.uuid, nodeLabel(n)]))
    const where = (uuid: string): string => uuid === '' ? '' : nodes.get(uuid) ?? uuid
    const answer = { vm: p.name, uuid: p.uuid, action: input.action, previousState: p.state }
    if (p.noChange !== undefined || p.payload === undefined) {
      return { ok: true, changed: false, ...answer, state: p.state, node: where(p.nodeUUID), notes: [`Nothing was sent: ${p.noChange ?? 'no change needed'}.`] }
    }
    const followed = await makeChange(cluster, 'POST', '/VirDomain/action', p.payload, ctx.progress)
    const now = await findVm(cluster, p.uuid)
    const notes = [...followed.notes]
    if (now === undefined) notes.push('The VM no longer exists: it was deleted while the action waited.')
    notes.push(...refusalNote(followed, `The cluster refused ${input.action}`))
    return {
      ok: followed.ok,
      changed: followed.ok,
      ...answer,
      state: now?.state ?? 'DELETED',
      node: where(now?.nodeUUID ?? ''),
      ...taskFields(followed, notes)
    }
  }
})
