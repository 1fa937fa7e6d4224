import { maskUriPasswords } from '../gate/mask.js'
import { badRequest, bodyObject, fieldObject, notFound, optBool, optString, taskAnswer, unixNow, type Handler } from './context.js'
import { readBlockDevInput, readNetDevList } from './devices.js'
import { MACHINE_TYPES, copyVm, folderKey, machineTypeKeyword, newBlockDevice, newNetDevice, newVm } from './model.js'
import type { SimulatorState } from './state.js'
import { TaskFailure } from './tasks.js'
import type { VmRecord } from './types.js'
import { checkVmFields, isOff, label, pickEditable, requireVm } from './vm-common.js'

// Changing these needs the VM powered off. Memory and vCPUs are not here: real clusters store them on a running VM
// and apply them at its next boot (the Ansible collection PATCHes first and power-cycles afterwards).
const OFFLINE_VM_FIELDS = new Set(['machineType'])

const createVirDomain: Handler = ({ sim, body }) => {
  const { state } = sim
  const req = bodyObject(body)
  const dom = bodyObject(req.dom, 'dom')
  const options = fieldObject(req.options, 'options')
  const missing = ['name', 'mem', 'numVCPU'].filter((k) => dom[k] === undefined)
  if (missing.length > 0) throw badRequest(`dom.${missing.join(', dom.')} ${missing.length === 1 ? 'is' : 'are'} required to create a VM`)
  const name = optString(dom, 'name', 'dom.') as string
  if (name.trim() === '') throw badRequest('dom.name must not be empty')
  checkVmFields(state, dom, 'dom.')
  const keyword = optString(options, 'machineTypeKeyword', 'options.')
  if (keyword !== undefined && keyword !== '' && MACHINE_TYPES[keyword] === undefined) throw badRequest(`options.machineTypeKeyword must be one of ${Object.keys(MACHINE_TYPES).join(', ')}`)
  const blockInputs = (Array.isArray(dom.blockDevs) ? dom.blockDevs : []).map((d, i) => readBlockDevInput(state, bodyObject(d, `dom.blockDevs[${i}]`), `dom.blockDevs[${i}].`))
  const netInputs = readNetDevList(dom.netDevs, 'dom.netDevs')
  const attachTools = optBool(options, 'attachGuestToolsISO', 'options.') === true

  const uuid = state.newUUID()
  const tag = sim.tasks.start({
    description: `Create VM "${name}"`,
    objectUUIDs: [uuid],
    run () {
      const now = unixNow(sim.clock)
      const fields = pickEditable(dom)
      const machineType = keyword !== undefined && keyword !== '' ? MACHINE_TYPES[keyword] : fields.machineType
      // Without a machine type a cluster makes a BIOS VM (newVm's default), which has no NVRAM disk.
      const vm = newVm(state, { ...fields, name, uuid, ...(machineType === undefined ? {} : { machineType }) }, now)
      state.vms.set(vm.uuid, vm)
      for (const input of blockInputs) state.attachBlockDevice(vm, newBlockDevice(state, vm, input, now))
      if (machineTypeKeyword(vm.machineType) !== 'bios' && !vm.blockDevs.some((d) => d.type === 'NVRAM')) {
        state.attachBlockDevice(vm, newBlockDevice(state, vm, { type: 'NVRAM', capacity: 540_672 }, now))
      }
      if (machineTypeKeyword(vm.machineType) === 'tpm' && !vm.blockDevs.some((d) => d.type === 'VTPM')) {
        state.attachBlockDevice(vm, newBlockDevice(state, vm, { type: 'VTPM', capacity: 65_536 }, now))
      }
      if (attachTools) {
        const tools = [...state.collection('ISO').values()].find((iso) => /guest-tools/i.test(iso.name as string))
        if (tools !== undefined) state.attachBlockDevice(vm, newBlockDevice(state, vm, { type: 'IDE_CDROM', path: tools.path as string }, now))
      }
      for (const input of netInputs) state.attachNetDevice(vm, newNetDevice(state, vm, input))
      // Boot order may only name this VM's devices; by default the first disk boots.
      const known = new Set([...vm.blockDevs, ...vm.netDevs].map((d) => d.uuid))
      vm.bootDevices = vm.bootDevices.filter((id) => known.has(id))
      if (vm.bootDevices.length === 0) {
        const first = vm.blockDevs.find((d) => d.type.endsWith('_DISK')) ?? vm.blockDevs.find((d) => d.type === 'IDE_CDROM')
        if (first !== undefined) vm.bootDevices = [first.uuid]
      }
      state.refreshIsoMounts()
    }
  })
  return taskAnswer(tag, uuid)
}

const updateVirDomain: Handler = ({ sim, params, body }) => {
  const { state } = sim
  const vm = requireVm(state, params.virDomainUUID as string)
  const dom = bodyObject(body)
  checkVmFields(state, dom, '')
  const changes = pickEditable(dom)
  if (changes.name !== undefined && changes.name.trim() === '') throw badRequest('name must not be empty')
  if (changes.bootDevices !== undefined) {
    const known = new Set([...vm.blockDevs, ...vm.netDevs].map((d) => d.uuid))
    const stranger = changes.bootDevices.find((id) => !known.has(id))
    if (stranger !== undefined) throw badRequest(`bootDevices may only name this VM's block and net devices; "${stranger}" is not one of them`)
  }
  const tag = sim.tasks.start({
    description: `Update ${label(vm)}`,
    objectUUIDs: [vm.uuid],
    run () {
      const current = state.vms.get(vm.uuid)
      if (current === undefined) throw new TaskFailure(`${label(vm)} no longer exists`)
      const needsOff = Object.keys(changes).filter((k) => OFFLINE_VM_FIELDS.has(k) && JSON.stringify((changes as Record<string, unknown>)[k]) !== JSON.stringify(current[k]))
      if (needsOff.length > 0 && !isOff(current)) {
        throw new TaskFailure(`Cannot change ${needsOff.join(', ')} of ${label(current)} while it is ${current.state}; shut it down first`)
      }
      Object.assign(current, changes)
      if (changes.machineType !== undefined) current.machineTypeKeyword = machineTypeKeyword(changes.machineType)
      current.modified = unixNow(sim.clock)
      if (changes.name !== undefined) state.refreshIsoMounts()
    }
  })
  return taskAnswer(tag)
}

const deleteVirDomain: Handler = ({ sim, params }) => {
  const vm = requireVm(sim.state, params.virDomainUUID as string)
  const tag = sim.tasks.start({
    description: `Delete ${label(vm)}`,
    objectUUIDs: [vm.uuid],
    run () {
      const current = sim.state.vms.get(vm.uuid)
      if (current === undefined) throw new TaskFailure(`${label(vm)} no longer exists`)
      if (!isOff(current)) throw new TaskFailure(`Cannot delete ${label(current)} while it is ${current.state}; shut it down first`)
      sim.state.deleteVm(current.uuid)
    }
  })
  return taskAnswer(tag)
}

/** Builds a new VM from a definition: new UUIDs for it and its devices, new MACs, remapped boot order. */
function instantiate (state: SimulatorState, now: number, source: VmRecord, uuid: string, template: Record<string, unknown>, extra: Partial<VmRecord>): VmRecord {
  const overrides = pickEditable(template)
  const vm = newVm(state, {
    ...source,
    ...overrides,
    ...extra,
    uuid,
    state: 'SHUTOFF',
    nodeUUID: '',
    created: now,
    modified: now,
    lastSeenRunningOnNodeUUID: '',
    guestAgentState: 'UNAVAILABLE',
    snapshotSerialNumber: 0,
    snapshotListSerialNumber: 0,
    snapshotAllocationBlocks: 0,
    console: { ...source.console, ip: '', port: 0 },
    name: overrides.name ?? extra.name ?? source.name
  }, now)
  state.vms.set(vm.uuid, vm)
  const remap = new Map<string, string>()
  for (const dev of source.blockDevs) {
    const copy = newBlockDevice(state, vm, { ...dev, uuid: undefined, path: dev.type === 'IDE_CDROM' ? dev.path : undefined, createdTimestamp: now, mountPoints: [] }, now)
    remap.set(dev.uuid, copy.uuid)
    state.attachBlockDevice(vm, copy)
  }
  const nicInputs = Array.isArray(template.netDevs)
    ? readNetDevList(template.netDevs, 'template.netDevs')
    : source.netDevs.map((n) => ({ type: n.type, vlan: n.vlan, connected: n.connected }))
  for (const input of nicInputs) state.attachNetDevice(vm, newNetDevice(state, vm, { ...input, ipv4Addresses: [] }))
  source.netDevs.forEach((nic, i) => {
    const copy = vm.netDevs[i]
    if (copy !== undefined) remap.set(nic.uuid, copy.uuid)
  })
  vm.bootDevices = (overrides.bootDevices ?? source.bootDevices).map((id) => remap.get(id) ?? '').filter((id) => id !== '')
  state.refreshIsoMounts()
  return vm
}

/** The snapshot named by `snapUUID`, checked to belong to the VM; undefined when none is named. */
function snapshotOf (state: SimulatorState, vm: VmRecord, snapUUID: string | undefined): string | undefined {
  if (snapUUID === undefined || snapUUID === '') return undefined
  const snap = state.snapshots.get(snapUUID)
  if (snap === undefined) throw notFound('VirDomainSnapshot', snapUUID)
  if (snap.domainUUID !== vm.uuid) throw badRequest(`snapshot "${snapUUID}" belongs to another VM, not to ${label(vm)}`)
  return snapUUID
}

const cloneVirDomain: Handler = ({ sim, params, body }) => {
  const { state } = sim
  const vm = requireVm(state, params.virDomainUUID as string)
  const req = fieldObject(body, 'the request body')
  const template = fieldObject(req.template, 'template')
  const snapUUID = snapshotOf(state, vm, optString(req, 'snapUUID'))
  checkVmFields(state, template, 'template.')
  readNetDevList(template.netDevs, 'template.netDevs')
  const name = optString(template, 'name', 'template.') ?? `${vm.name}-clone`
  if (name.trim() === '') throw badRequest('template.name must not be empty')
  const uuid = state.newUUID()
  const tag = sim.tasks.start({
    description: `Clone ${label(vm)} as "${name}"${snapUUID !== undefined ? ' from a snapshot' : ''}`,
    objectUUIDs: [vm.uuid, uuid],
    run () {
      const source = snapUUID !== undefined ? state.snapshots.get(snapUUID)?.domain : state.vms.get(vm.uuid)
      if (source === undefined) throw new TaskFailure(`The source of the clone (${label(vm)}${snapUUID !== undefined ? ' or its snapshot' : ''}) no longer exists`)
      instantiate(state, unixNow(sim.clock), source, uuid, template, { name, sourceVirDomainUUID: vm.uuid, initialCloneSnapshotUUID: snapUUID ?? '', snapshotScheduleUUID: '' })
    }
  })
  return taskAnswer(tag, uuid)
}

const exportVirDomain: Handler = ({ sim, params, body }) => {
  const { state } = sim
  const vm = requireVm(state, params.virDomainUUID as string)
  const req = bodyObject(body)
  const target = bodyObject(req.target, 'target')
  const pathURI = optString(target, 'pathURI', 'target.') ?? ''
  if (!/^smb:\/\/[^/]+\/.+/i.test(pathURI)) throw badRequest('target.pathURI must be an SMB location such as smb://user:password@server/share/folder')
  const fileName = optString(target, 'definitionFileName', 'target.') ?? `${vm.name}.xml`
  const snapUUID = snapshotOf(state, vm, optString(req, 'snapUUID'))
  const masked = maskUriPasswords(pathURI, '****')
  const tag = sim.tasks.start({
    description: `Export ${label(vm)} to ${masked}/${fileName}`,
    objectUUIDs: [vm.uuid],
    run () {
      const source = snapUUID !== undefined ? state.snapshots.get(snapUUID)?.domain : state.vms.get(vm.uuid)
      if (source === undefined) throw new TaskFailure(`${label(vm)} (or the snapshot to export) no longer exists`)
      const folder = folderKey(pathURI)
      state.exports.set(`${folder}/${fileName.toLowerCase()}`, { location: `${masked}/${fileName}`, folder, definition: copyVm(source), exportedAt: unixNow(sim.clock) })
    }
  })
  return taskAnswer(tag)
}

const importVirDomain: Handler = ({ sim, body }) => {
  const { state } = sim
  const req = bodyObject(body)
  const source = bodyObject(req.source, 'source')
  const template = fieldObject(req.template, 'template')
  const pathURI = optString(source, 'pathURI', 'source.') ?? ''
  if (!/^(smb|https?):\/\/[^/]+/i.test(pathURI)) throw badRequest('source.pathURI must be an SMB or HTTP(S) location such as smb://user:password@server/share/folder')
  const fileName = optString(source, 'definitionFileName', 'source.')
  checkVmFields(state, template, 'template.')
  const masked = maskUriPasswords(pathURI, '****')
  const uuid = state.newUUID()
  const tag = sim.tasks.start({
    description: `Import VM from ${masked}${fileName === undefined ? '' : '/' + fileName}`,
    objectUUIDs: [uuid],
    run () {
      const folder = folderKey(pathURI)
      const found = fileName !== undefined && fileName !== ''
        ? state.exports.get(`${folder}/${fileName.toLowerCase()}`)
        : [...state.exports.values()].find((e) => e.folder === folder)
      if (found === undefined) throw new TaskFailure(`No exported VM definition was found at ${masked}${fileName === undefined ? '' : '/' + fileName}`)
      instantiate(state, unixNow(sim.clock), found.definition, uuid, template, { sourceVirDomainUUID: '', initialCloneSnapshotUUID: '', snapshotScheduleUUID: '', replicationUUIDs: [] })
    }
  })
  return taskAnswer(tag, uuid)
}

/** The VM create, edit, delete, clone, export and import operations, by `METHOD /template`. */
export const vmCrudHandlers: Record<string, Handler> = {
  'POST /VirDomain': createVirDomain,
  'POST /VirDomain/{virDomainUUID}': updateVirDomain,
  'PATCH /VirDomain/{virDomainUUID}': updateVirDomain,
  'DELETE /VirDomain/{virDomainUUID}': deleteVirDomain,
  'POST /VirDomain/{virDomainUUID}/clone': cloneVirDomain,
  'POST /VirDomain/{virDomainUUID}/export': exportVirDomain,
  'POST /VirDomain/import': importVirDomain
}
