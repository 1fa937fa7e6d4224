import { badRequest, fieldObject, notFound, optInt, optString } from './context.js'
import { MACHINE_TYPES, OFF_STATES } from './model.js'
import type { SimulatorState } from './state.js'
import type { VmRecord } from './types.js'

// VM fields an edit may change; devices are create-only and power state changes go through VirDomain/action.
const EDITABLE_VM_FIELDS = ['name', 'description', 'operatingSystem', 'mem', 'numVCPU', 'tags', 'bootDevices', 'snapshotScheduleUUID', 'machineType', 'cpuType', 'affinityStrategy', 'cloudInitData'] as const

/** The VM, or a 404. */
export function requireVm (state: SimulatorState, uuid: string): VmRecord {
  const vm = state.vms.get(uuid)
  if (vm === undefined) throw notFound('VirDomain', uuid)
  return vm
}

/** True when the VM is powered off (SHUTOFF, SHUTDOWN or CRASHED). */
export function isOff (vm: VmRecord): boolean {
  return OFF_STATES.has(vm.state)
}

/** `VM "name"`, for task descriptions and messages. */
export function label (vm: VmRecord): string {
  return `VM "${vm.name}"`
}

/** Checks the VM fields a create, edit, clone or import may carry; 400/404 names the field. */
export function checkVmFields (state: SimulatorState, dom: Record<string, unknown>, prefix: string): void {
  const mem = optInt(dom, 'mem', prefix)
  if (mem !== undefined && mem < 16 * 1024 * 1024) throw badRequest(`${prefix}mem is in bytes and must be at least 16 MiB`)
  const vcpu = optInt(dom, 'numVCPU', prefix)
  if (vcpu !== undefined && (vcpu < 1 || vcpu > 128)) throw badRequest(`${prefix}numVCPU must be from 1 to 128`)
  const schedule = optString(dom, 'snapshotScheduleUUID', prefix)
  if (schedule !== undefined && schedule !== '' && !state.collection('VirDomainSnapshotSchedule').has(schedule)) {
    throw notFound('VirDomainSnapshotSchedule', schedule)
  }
  const affinity = fieldObject(dom.affinityStrategy, `${prefix}affinityStrategy`)
  for (const key of ['preferredNodeUUID', 'backupNodeUUID']) {
    const node = optString(affinity, key, `${prefix}affinityStrategy.`)
    if (node !== undefined && node !== '' && !state.nodes.has(node)) throw notFound('Node', node)
  }
  const machineType = optString(dom, 'machineType', prefix)
  if (machineType !== undefined && !/^scale-/.test(machineType)) throw badRequest(`${prefix}machineType must be a Scale machine type such as ${Object.values(MACHINE_TYPES).join(', ')}`)
}

/** The editable VM fields of a body, deep-copied, with nested objects completed to their full shape. */
export function pickEditable (dom: Record<string, unknown>): Partial<VmRecord> {
  const out: Record<string, unknown> = {}
  for (const key of EDITABLE_VM_FIELDS) if (dom[key] !== undefined) out[key] = structuredClone(dom[key])
  if (out.affinityStrategy !== undefined) out.affinityStrategy = { strictAffinity: false, preferredNodeUUID: '', backupNodeUUID: '', ...(out.affinityStrategy as object) }
  if (out.cloudInitData !== undefined) out.cloudInitData = { userData: '', metaData: '', ...(out.cloudInitData as object) }
  return out as Partial<VmRecord>
}
