import { Type } from '@sinclair/typebox'
import { validationError } from '../gate/normalise.js'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { CHANGE_ROLES, findVm, namesakeNote, namesakes, OFF_STATES, plannedCall, resolveVm, type VmInfo } from './support/cluster-records.js'
import { VM_ARGUMENT } from './get-vm.js'
import { ChangeOkSchema, makeChange, refusalNote, TASK_FIELDS, taskFields } from './support/task-wait.js'
import { fromGiB, toGiB } from './support/units.js'
import { MAX_DESCRIPTION_LENGTH, MAX_TAG_LENGTH, MAX_TAGS, nameArgument } from './support/argument-limits.js'

// The cluster's own floor for memory is 16 MiB; a VM with less than 1/4 GiB is a typo, not a plan.
const MIN_MEMORY_GIB = 0.25
const MAX_MEMORY_GIB = 4096

const InputSchema = Type.Object({
  vm: VM_ARGUMENT,
  name: Type.Optional(nameArgument('New name.')),
  description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION_LENGTH, description: 'New description.' })),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: MAX_TAG_LENGTH }), { maxItems: MAX_TAGS, description: 'All tags, e.g. ["prod","web"].' })),
  cpus: Type.Optional(Type.Integer({ minimum: 1, maximum: 128, description: 'vCPUs.' })),
  memoryGiB: Type.Optional(Type.Number({ description: 'Memory in GiB, e.g. 16.' }))
}, { additionalProperties: false })

const ValuesSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  tags: Type.Array(Type.String()),
  cpus: Type.Integer(),
  memoryGiB: Type.Number()
})

const OutputSchema = Type.Object({
  ok: ChangeOkSchema,
  changed: Type.Boolean({ description: 'False when every value was already as asked: nothing was sent.' }),
  vm: Type.String(),
  uuid: Type.String(),
  state: Type.String(),
  changes: Type.Array(Type.String({ description: 'e.g. "cpus 2 → 4".' })),
  now: ValuesSchema,
  ...TASK_FIELDS
})

interface Prepared {
  vm: VmInfo
  payload: Record<string, unknown>
  changes: string[]
}

function values (vm: VmInfo): { name: string, description: string, tags: string[], cpus: number, memoryGiB: number } {
  return { name: vm.name, description: vm.description, tags: vm.tags, cpus: vm.cpus, memoryGiB: toGiB(vm.memBytes) }
}

/** `update_vm`: the everyday edits (name, description, tags, CPUs, memory) without nested JSON. */
export default defineTool({
  name: 'update_vm',
  summary: 'Rename a VM or change its tags, CPUs or memory',
  description: 'Changes a VM\'s name, description, tags, cpus or memoryGiB (give only those; none differ: changed=false). CPUs/memory of a running VM apply at next power-on.',
  tags: ['VMs'],
  input: InputSchema,
  output: OutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  requiresCluster: true,
  roles: CHANGE_ROLES,
  async plan (input, ctx): Promise<Plan<Prepared>> {
    if ([input.name, input.description, input.tags, input.cpus, input.memoryGiB].every((v) => v === undefined)) {
      throw validationError('update_vm', [{ field: '(input)', message: 'names nothing to change: give name, description, tags, cpus or memoryGiB' }])
    }
    if (input.memoryGiB !== undefined && !(input.memoryGiB >= MIN_MEMORY_GIB && input.memoryGiB <= MAX_MEMORY_GIB)) {
      throw validationError('update_vm', [{ field: 'memoryGiB', message: `must be from ${MIN_MEMORY_GIB} to ${MAX_MEMORY_GIB} (GiB, not bytes or MiB)` }])
    }
    const vm = await resolveVm(requireCluster(ctx), input.vm)
    const payload: Record<string, unknown> = {}
    const changes: string[] = []
    const change = (label: string, before: string | number, after: string | number): void => { changes.push(`${label} ${JSON.stringify(before)} → ${JSON.stringify(after)}`) }
    if (input.name !== undefined && input.name !== vm.name) {
      payload.name = input.name
      change('name', vm.name, input.name)
    }
    if (input.description !== undefined && input.description !== vm.description) {
      payload.description = input.description
      change('description', vm.description, input.description)
    }
    if (input.tags !== undefined) {
      const tags = [...new Set(input.tags.map((t) => t.trim()).filter((t) => t !== ''))]
      if (tags.join(',') !== vm.tags.join(',')) {
        payload.tags = tags.join(',')
        change('tags', vm.tags.join(','), tags.join(','))
      }
    }
    if (input.cpus !== undefined && input.cpus !== vm.cpus) {
      payload.numVCPU = input.cpus
      change('cpus', vm.cpus, input.cpus)
    }
    if (input.memoryGiB !== undefined && fromGiB(input.memoryGiB) !== vm.memBytes) {
      payload.mem = fromGiB(input.memoryGiB)
      change('memoryGiB', toGiB(vm.memBytes), input.memoryGiB)
    }
    const calls = changes.length === 0 ? [] : [plannedCall(ctx.catalog, 'PATCH', `/VirDomain/${vm.uuid}`, { payload, target: { kind: 'VirDomain', uuid: vm.uuid } })]
    calls.push(plannedCall(ctx.catalog, 'GET', `/VirDomain/${vm.uuid}`), plannedCall(ctx.catalog, 'GET', '/VirDomain'))
    return { calls, prepared: { vm, payload, changes } }
  },
  async handler (_input, ctx) {
    const cluster = requireCluster(ctx)
    const { vm, payload, changes } = ctx.plan.prepared
    if (changes.length === 0) {
      return { ok: true, changed: false, vm: vm.name, uuid: vm.uuid, state: vm.state, changes, now: values(vm), notes: ['Nothing was sent: every value was already as asked.'] }
    }
    const followed = await makeChange(cluster, 'PATCH', `/VirDomain/${vm.uuid}`, payload, ctx.progress)
    const found = await findVm(cluster, vm.uuid)
    const now = found ?? vm
    const notes = [...followed.notes]
    if (found === undefined) notes.push('The VM no longer exists: it was deleted while the change waited.')
    notes.push(...refusalNote(followed, 'The cluster refused the change'))
    if (followed.ok && (payload.numVCPU !== undefined || payload.mem !== undefined) && !OFF_STATES.has(now.state)) {
      notes.push(`The VM is ${now.state}: the new CPU count and memory are stored now and take effect at its next power-on (vm_action SHUTDOWN, then START).`)
    }
    if (typeof payload.name === 'string') notes.push(...namesakeNote(payload.name, await namesakes(cluster, payload.name, vm.uuid)))
    return {
      ok: followed.ok,
      changed: followed.ok,
      vm: now.name,
      uuid: vm.uuid,
      state: found === undefined ? 'DELETED' : now.state,
      changes,
      now: values(now),
      ...taskFields(followed, notes)
    }
  }
})
