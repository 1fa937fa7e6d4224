import { badRequest, bodyObject, fieldObject, notFound, optBool, optInt, optString, taskAnswer, unixNow, type Handler, type SimContext } from './context.js'
import { ownerOf, readBlockDevInput, refuseMove, requireDevice, requireInsertableIso, startAdd, startEdit, startRemove, type DeviceKind } from './devices.js'
import { HOT_PLUG_TYPES, newBlockDevice } from './model.js'
import type { BlockDeviceRecord, SimRecord, VmRecord } from './types.js'
import { isOff, label } from './vm-common.js'

/** Disks, CD-ROMs, NVRAM and vTPM devices: VIRTIO/SCSI disks and CD-ROMs can come and go while the VM runs. */
export const blockDevices: DeviceKind<BlockDeviceRecord> = {
  collection: 'VirDomainBlockDevice',
  noun: 'block device',
  records: (state) => state.blockDevices,
  attach (state, vm, dev) {
    state.attachBlockDevice(vm, dev)
    if (vm.bootDevices.length === 0 && dev.type.endsWith('_DISK')) vm.bootDevices = [dev.uuid]
    state.refreshIsoMounts()
  },
  detach: (state, uuid) => { state.detachBlockDevice(uuid) },
  refusal (vm, verb, type) {
    if (isOff(vm) || HOT_PLUG_TYPES.has(type)) return undefined
    return `Cannot ${verb} a ${type} device while ${label(vm)} is ${vm.state}; shut it down first`
  }
}

function addBlockDevice (sim: SimContext, vm: VmRecord, input: Partial<BlockDeviceRecord>, description: string): { tag: string, uuid: string } {
  const type = input.type ?? 'VIRTIO_DISK'
  if (input.slot !== undefined && input.slot >= 0 && vm.blockDevs.some((d) => d.type === type && d.slot === input.slot)) {
    throw badRequest(`slot ${input.slot} of ${label(vm)} already holds a ${type}`)
  }
  return startAdd(sim, blockDevices, vm, type, description, (current, uuid) => newBlockDevice(sim.state, current, { ...input, uuid }, unixNow(sim.clock)))
}

const createBlockDevice: Handler = ({ sim, body }) => {
  const req = bodyObject(body)
  const vm = ownerOf(blockDevices, sim.state, req)
  const input = readBlockDevInput(sim.state, req, '')
  const { tag, uuid } = addBlockDevice(sim, vm, input, `Add ${input.type as string} device`)
  return taskAnswer(tag, uuid)
}

const updateBlockDevice: Handler = ({ sim, params, body }) => {
  const { state } = sim
  const dev = requireDevice(blockDevices, state, params.uuid as string)
  const req = bodyObject(body)
  refuseMove(blockDevices, dev, req)
  const type = optString(req, 'type')
  if (type !== undefined && type !== dev.type) throw badRequest(`type cannot be changed (the device is a ${dev.type})`)
  const capacity = optInt(req, 'capacity')
  if (capacity !== undefined && capacity < dev.capacity) throw badRequest(`capacity can only grow: the device has ${dev.capacity} bytes`)
  const slot = optInt(req, 'slot')
  if (slot !== undefined && slot !== dev.slot) throw badRequest('slot cannot be changed after the device is created')
  const path = optString(req, 'path')
  const name = optString(req, 'name')
  let iso: SimRecord | undefined
  if ((path !== undefined && path !== dev.path) || (name !== undefined && name !== dev.name)) {
    if (dev.type !== 'IDE_CDROM') throw badRequest('only an IDE_CDROM device can have its path or name changed')
    const ref = path ?? name ?? ''
    if (ref !== '') iso = requireInsertableIso(state, ref)
  }
  const cacheMode = optString(req, 'cacheMode')
  const disable = optBool(req, 'disableSnapshotting')
  const tiering = optInt(req, 'tieringPriorityFactor')
  const tag = startEdit(sim, blockDevices, dev, (current) => {
    if (capacity !== undefined) {
      current.capacity = capacity
      current.physical = Math.max(current.physical, Math.floor(capacity * 0.4))
    }
    if (cacheMode !== undefined) current.cacheMode = cacheMode
    if (disable !== undefined) current.disableSnapshotting = disable
    if (tiering !== undefined) current.tieringPriorityFactor = tiering
    if (path !== undefined || name !== undefined) {
      current.path = iso === undefined ? '' : iso.path as string
      current.name = iso === undefined ? '' : iso.name as string
      state.refreshIsoMounts()
    }
  })
  return taskAnswer(tag)
}

const deleteBlockDevice: Handler = ({ sim, params }) => {
  const dev = requireDevice(blockDevices, sim.state, params.uuid as string)
  return taskAnswer(startRemove(sim, blockDevices, dev))
}

/** The device to create from a clone/attach template, never smaller than `minBytes`, and read-only as the options say. */
function templateDevice (sim: SimContext, req: Record<string, unknown>, minBytes: number): { vm: VmRecord, input: Partial<BlockDeviceRecord> } {
  const template = bodyObject(req.template, 'template')
  const options = fieldObject(req.options, 'options')
  const vm = ownerOf(blockDevices, sim.state, template, 'template.')
  const input = readBlockDevInput(sim.state, template, 'template.')
  if ((input.capacity ?? 0) < minBytes) input.capacity = minBytes
  input.readOnly = optBool(options, 'readOnly', 'options.') ?? false
  return { vm, input }
}

const cloneBlockDevice: Handler = ({ sim, params, body }) => {
  const { state } = sim
  const req = bodyObject(body)
  const snapUUID = optString(req, 'snapUUID') ?? ''
  const snap = state.snapshots.get(snapUUID)
  if (snap === undefined) throw notFound('VirDomainSnapshot', snapUUID)
  const ref = params.uuid as string
  const devSnap = snap.deviceSnapshots.find((d) => d.uuid === ref || d.blockDeviceUUID === ref)
  if (devSnap === undefined) throw notFound('VirDomainBlockDevice in that snapshot', ref)
  const { vm, input } = templateDevice(sim, req, devSnap.capacity)
  const { tag, uuid } = addBlockDevice(sim, vm, input, `Attach a disk from a snapshot of VM "${snap.domain.name}"`)
  return taskAnswer(tag, uuid)
}

const attachVirtualDisk: Handler = ({ sim, params, body }) => {
  const disk = sim.state.collection('VirtualDisk').get(params.uuid as string)
  if (disk === undefined) throw notFound('VirtualDisk', params.uuid as string)
  // As with a disk cloned from a snapshot, the new device can be larger than the image but never smaller.
  const { vm, input } = templateDevice(sim, bodyObject(body), disk.capacityBytes as number)
  const { tag, uuid } = addBlockDevice(sim, vm, input, `Attach virtual disk "${disk.name as string}"`)
  return taskAnswer(tag, uuid)
}

/** The block-device operations, by `METHOD /template`. */
export const blockDeviceHandlers: Record<string, Handler> = {
  'POST /VirDomainBlockDevice': createBlockDevice,
  'POST /VirDomainBlockDevice/{uuid}': updateBlockDevice,
  'PATCH /VirDomainBlockDevice/{uuid}': updateBlockDevice,
  'DELETE /VirDomainBlockDevice/{uuid}': deleteBlockDevice,
  'POST /VirDomainBlockDevice/{uuid}/clone': cloneBlockDevice,
  'POST /VirtualDisk/{uuid}/attach': attachVirtualDisk
}
