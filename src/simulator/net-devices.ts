import { bodyObject, taskAnswer, type Handler } from './context.js'
import { ownerOf, readNetDevInput, refuseMove, requireDevice, startAdd, startEdit, startRemove, type DeviceKind } from './devices.js'
import { newNetDevice } from './model.js'
import { TaskFailure } from './tasks.js'
import type { NetDeviceRecord } from './types.js'
import { isOff, label } from './vm-common.js'

/** Virtual NICs: they can only be added or removed while the VM is off. */
export const netDevices: DeviceKind<NetDeviceRecord> = {
  collection: 'VirDomainNetDevice',
  noun: 'network device',
  records: (state) => state.netDevices,
  attach: (state, vm, dev) => { state.attachNetDevice(vm, dev) },
  detach: (state, uuid) => { state.detachNetDevice(uuid) },
  refusal: (vm, verb) => isOff(vm) ? undefined : `Cannot ${verb} a network device while ${label(vm)} is ${vm.state}; the VM must be shut off`
}

const createNetDevice: Handler = ({ sim, body }) => {
  const req = bodyObject(body)
  const vm = ownerOf(netDevices, sim.state, req)
  const input = readNetDevInput(req, '')
  const { tag, uuid } = startAdd(sim, netDevices, vm, input.type ?? 'VIRTIO', 'Add network device', (current, id) => newNetDevice(sim.state, current, { ...input, uuid: id }))
  return taskAnswer(tag, uuid)
}

const updateNetDevice: Handler = ({ sim, params, body }) => {
  const dev = requireDevice(netDevices, sim.state, params.uuid as string)
  const req = bodyObject(body)
  refuseMove(netDevices, dev, req)
  const input = readNetDevInput(req, '')
  const tag = startEdit(sim, netDevices, dev, (current, owner) => {
    const hardware = (input.type !== undefined && input.type !== current.type) || (input.macAddress !== undefined && input.macAddress.toUpperCase() !== current.macAddress)
    if (hardware && owner !== undefined && !isOff(owner)) {
      throw new TaskFailure(`Cannot change the type or MAC address of a network device while ${label(owner)} is ${owner.state}`)
    }
    Object.assign(current, input)
    if (input.macAddress !== undefined) current.macAddress = input.macAddress.toUpperCase()
    if (input.connected === false) current.ipv4Addresses = []
  })
  return taskAnswer(tag)
}

const deleteNetDevice: Handler = ({ sim, params }) => {
  const dev = requireDevice(netDevices, sim.state, params.uuid as string)
  return taskAnswer(startRemove(sim, netDevices, dev))
}

/** The NIC operations, by `METHOD /template`. */
export const netDeviceHandlers: Record<string, Handler> = {
  'POST /VirDomainNetDevice': createNetDevice,
  'POST /VirDomainNetDevice/{uuid}': updateNetDevice,
  'PATCH /VirDomainNetDevice/{uuid}': updateNetDevice,
  'DELETE /VirDomainNetDevice/{uuid}': deleteNetDevice
}
