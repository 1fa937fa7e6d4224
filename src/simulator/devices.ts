import { badRequest, bodyObject, notFound, optBool, optInt, optString, unixNow, type SimContext } from './context.js'
import type { SimulatorState } from './state.js'
import { TaskFailure } from './tasks.js'
import type { BlockDeviceRecord, NetDeviceRecord, SimRecord, VmRecord } from './types.js'
import { label, requireVm } from './vm-common.js'

const BLOCK_TYPES = new Set(['IDE_DISK', 'SCSI_DISK', 'VIRTIO_DISK', 'IDE_CDROM', 'IDE_FLOPPY', 'NVRAM', 'VTPM'])
const NET_TYPES = new Set(['RTL8139', 'VIRTIO', 'INTEL_E1000'])
const MAC_RE = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/

/** What differs between the two kinds of VM device (disks and NICs); everything else is handled once, below. */
export interface DeviceKind<T extends BlockDeviceRecord | NetDeviceRecord> {
  /** API collection name, for 404s. */
  collection: string
  /** `block device` or `network device`. */
  noun: string
  records: (state: SimulatorState) => Map<string, T>
  attach: (state: SimulatorState, vm: VmRecord, dev: T) => void
  detach: (state: SimulatorState, uuid: string) => void
  /** Why adding or removing a device of this type cannot happen while the VM is as it is; undefined when it can. */
  refusal: (vm: VmRecord, verb: 'add' | 'remove', type: string) => string | undefined
}

/** The device, or a 404. */
export function requireDevice<T extends BlockDeviceRecord | NetDeviceRecord> (kind: DeviceKind<T>, state: SimulatorState, uuid: string): T {
  const dev = kind.records(state).get(uuid)
  if (dev === undefined) throw notFound(kind.collection, uuid)
  return dev
}

/** The `virDomainUUID` a new device belongs to (400 without one, 404 for an unknown VM). */
export function ownerOf<T extends BlockDeviceRecord | NetDeviceRecord> (kind: DeviceKind<T>, state: SimulatorState, body: Record<string, unknown>, prefix = ''): VmRecord {
  const vmUUID = optString(body, 'virDomainUUID', prefix)
  if (vmUUID === undefined || vmUUID === '') throw badRequest(`${prefix}virDomainUUID is required: a ${kind.noun} belongs to a VM`)
  return requireVm(state, vmUUID)
}

/** Refuses an edit that tries to move a device to another VM. */
export function refuseMove<T extends BlockDeviceRecord | NetDeviceRecord> (kind: DeviceKind<T>, dev: T, body: Record<string, unknown>): void {
  const moveTo = optString(body, 'virDomainUUID')
  if (moveTo !== undefined && moveTo !== dev.virDomainUUID) throw badRequest(`virDomainUUID cannot be changed: a ${kind.noun} cannot move to another VM`)
}

/** Starts the task that adds a device built by `build` to a VM; answers its tag and the new device's UUID. */
export function startAdd<T extends BlockDeviceRecord | NetDeviceRecord> (
  sim: SimContext, kind: DeviceKind<T>, vm: VmRecord, type: string, description: string, build: (current: VmRecord, uuid: string) => T
): { tag: string, uuid: string } {
  const { state } = sim
  const uuid = state.newUUID()
  const tag = sim.tasks.start({
    description: `${description} on ${label(vm)}`,
    objectUUIDs: [vm.uuid, uuid],
    nodeUUIDs: vm.nodeUUID === '' ? [] : [vm.nodeUUID],
    run () {
      const current = state.vms.get(vm.uuid)
      if (current === undefined) throw new TaskFailure(`${label(vm)} no longer exists`)
      const why = kind.refusal(current, 'add', type)
      if (why !== undefined) throw new TaskFailure(why)
      kind.attach(state, current, build(current, uuid))
      current.modified = unixNow(sim.clock)
    }
  })
  return { tag, uuid }
}

/** Starts the task that changes a device with `apply` (which may throw TaskFailure); answers the tag. */
export function startEdit<T extends BlockDeviceRecord | NetDeviceRecord> (
  sim: SimContext, kind: DeviceKind<T>, dev: T, apply: (current: T, owner: VmRecord | undefined) => void
): string {
  const { state } = sim
  const vm = state.vms.get(dev.virDomainUUID)
  return sim.tasks.start({
    description: `Update ${kind.noun}${vm === undefined ? '' : ` of ${label(vm)}`}`,
    objectUUIDs: [dev.uuid],
    run () {
      const current = kind.records(state).get(dev.uuid)
      if (current === undefined) throw new TaskFailure(`The ${kind.noun} no longer exists`)
      apply(current, state.vms.get(current.virDomainUUID))
    }
  })
}

/** Starts the task that removes a device from its VM; answers the tag. */
export function startRemove<T extends BlockDeviceRecord | NetDeviceRecord> (sim: SimContext, kind: DeviceKind<T>, dev: T): string {
  const { state } = sim
  const vm = state.vms.get(dev.virDomainUUID)
  return sim.tasks.start({
    description: `Remove ${kind.noun}${vm === undefined ? '' : ` from ${label(vm)}`}`,
    objectUUIDs: [dev.uuid],
    run () {
      const current = kind.records(state).get(dev.uuid)
      if (current === undefined) throw new TaskFailure(`The ${kind.noun} no longer exists`)
      const owner = state.vms.get(current.virDomainUUID)
      const why = owner === undefined ? undefined : kind.refusal(owner, 'remove', 'type' in current ? current.type : '')
      if (why !== undefined) throw new TaskFailure(why)
      kind.detach(state, current.uuid)
    }
  })
}

/** The block-device fields of a create body (or a clone/attach template), checked; 400/404 name the field. */
export function readBlockDevInput (state: SimulatorState, raw: Record<string, unknown>, prefix: string): Partial<BlockDeviceRecord> {
  const type = optString(raw, 'type', prefix) ?? 'VIRTIO_DISK'
  if (!BLOCK_TYPES.has(type)) throw badRequest(`${prefix}type must be one of ${[...BLOCK_TYPES].join(', ')}`)
  const capacity = optInt(raw, 'capacity', prefix)
  if (type.endsWith('_DISK') && capacity === undefined) throw badRequest(`${prefix}capacity (bytes) is required for a ${type}`)
  if (capacity !== undefined && capacity < 0) throw badRequest(`${prefix}capacity must not be negative`)
  const path = optString(raw, 'path', prefix)
  const name = optString(raw, 'name', prefix)
  if (type === 'IDE_CDROM') {
    const ref = path !== undefined && path !== '' ? path : name
    if (ref !== undefined && ref !== '') requireInsertableIso(state, ref)
  }
  const input: Partial<BlockDeviceRecord> = { type }
  if (capacity !== undefined) input.capacity = capacity
  if (path !== undefined) input.path = path
  if (name !== undefined) input.name = name
  const slot = optInt(raw, 'slot', prefix)
  if (slot !== undefined) input.slot = slot
  const cacheMode = optString(raw, 'cacheMode', prefix)
  if (cacheMode !== undefined) input.cacheMode = cacheMode
  const disable = optBool(raw, 'disableSnapshotting', prefix)
  if (disable !== undefined) input.disableSnapshotting = disable
  const tiering = optInt(raw, 'tieringPriorityFactor', prefix)
  if (tiering !== undefined) input.tieringPriorityFactor = tiering
  return input
}

/** The ISO a CD-ROM reference names, when it exists and its upload has finished. */
export function requireInsertableIso (state: SimulatorState, ref: string): SimRecord {
  const iso = state.findIso(ref)
  if (iso === undefined) throw notFound('ISO', ref)
  if (iso.readyForInsert !== true) throw badRequest(`ISO "${iso.name as string}" is not ready to be inserted (its upload has not finished)`)
  return iso
}

/** The NIC fields of a create or edit body (or a clone template's `netDevs[i]`), checked; 400 names the field. */
export function readNetDevInput (raw: Record<string, unknown>, prefix: string): Partial<NetDeviceRecord> {
  const input: Partial<NetDeviceRecord> = {}
  const type = optString(raw, 'type', prefix)
  if (type !== undefined) {
    if (!NET_TYPES.has(type)) throw badRequest(`${prefix}type must be one of ${[...NET_TYPES].join(', ')}`)
    input.type = type
  }
  const mac = optString(raw, 'macAddress', prefix)
  if (mac !== undefined && mac !== '') {
    if (!MAC_RE.test(mac)) throw badRequest(`${prefix}macAddress must look like 7C:4C:58:12:34:56`)
    input.macAddress = mac
  }
  const vlan = optInt(raw, 'vlan', prefix)
  if (vlan !== undefined) {
    if (vlan < 0 || vlan > 4094) throw badRequest(`${prefix}vlan must be from 0 to 4094`)
    input.vlan = vlan
  }
  const connected = optBool(raw, 'connected', prefix)
  if (connected !== undefined) input.connected = connected
  return input
}

/** Every `netDevs[i]` of a template body, checked. */
export function readNetDevList (list: unknown, prefix: string): Array<Partial<NetDeviceRecord>> {
  return (Array.isArray(list) ? list : []).map((n, i) => readNetDevInput(bodyObject(n, `${prefix}[${i}]`), `${prefix}[${i}].`))
}
