import type { SimulatorState } from './state.js'
import { TaskFailure } from './tasks.js'
import {
  badRequest, bodyObject, fieldObject, notFound, optBool, optInt, optString, taskAnswer, unixNow,
  type Handler, type SimContext
} from './context.js'
import { HOT_PLUG_TYPES, MACHINE_TYPES, OFF_STATES, copyVm, folderKey, machineTypeKeyword, newBlockDevice, newNetDevice, newVm } from './model.js'
import { maskUriPasswords } from '../scale/mask-secrets.js'
import { addSnapshot } from './seed.js'
import type { BlockDeviceRecord, NetDeviceRecord, SimRecord, VmRecord, VmState } from './types.js'

const BLOCK_TYPES = new Set(['IDE_DISK', 'SCSI_DISK', 'VIRTIO_DISK', 'IDE_CDROM', 'IDE_FLOPPY', 'NVRAM', 'VTPM'])
const NET_TYPES = new Set(['RTL8139', 'VIRTIO', 'INTEL_E1000'])
const MAC_RE = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/
// VM fields an edit may change; devices are create-only and power state changes go through VirDomain/action.
const EDITABLE_VM_FIELDS = ['name', 'description', 'operatingSystem', 'mem', 'numVCPU', 'tags', 'bootDevices', 'snapshotScheduleUUID', 'machineType', 'cpuType', 'affinityStrategy', 'cloudInitData'] as const
// Changing these needs the VM powered off, as the schema's field descriptions say.
const OFFLINE_VM_FIELDS = new Set(['mem', 'numVCPU', 'machineType'])

/** The VM, or a 404. */
export function requireVm (state: SimulatorState, uuid: string): VmRecord {
  const vm = state.vms.get(uuid)
  if (vm === undefined) throw notFound('VirDomain', uuid)
  return vm
}

function isOff (vm: VmRecord): boolean {
  return OFF_STATES.has(vm.state)
}

function label (vm: VmRecord): string {
  return `VM "${vm.name}"`
}

const ACTION_VERBS: Record<string, string> = {
  START: 'Start',
  SHUTDOWN: 'Shut down',
  STOP: 'Power off',
  REBOOT: 'Reboot',
  RESET: 'Reset',
  PAUSE: 'Pause',
  LIVEMIGRATE: 'Live-migrate',
  NMI: 'Send NMI to'
}

/** The node with the fewest running VMs (ties go to the lowest peer ID), skipping `except`. */
function leastLoadedNode (state: SimulatorState, except = ''): SimRecord | undefined {
  const load = new Map<string, number>()
  for (const vm of state.vms.values()) if (vm.nodeUUID !== '') load.set(vm.nodeUUID, (load.get(vm.nodeUUID) ?? 0) + 1)
  let best: SimRecord | undefined
  for (const node of state.nodes.values()) {
    if (node.uuid === except) continue
    if (best === undefined || (load.get(node.uuid) ?? 0) < (load.get(best.uuid) ?? 0)) best = node
  }
  return best
}

function powerOn (state: SimulatorState, vm: VmRecord, node: SimRecord): void {
  vm.state = 'RUNNING'
  vm.uiState = 'RUNNING'
  vm.nodeUUID = node.uuid
  vm.lastSeenRunningOnNodeUUID = node.uuid
  vm.guestAgentState = 'AVAILABLE'
  vm.console = { ...vm.console, ip: node.lanIP as string, port: vm.console.port > 0 ? vm.console.port : 5900 + (state.vms.size % 1000) }
}

function powerOff (vm: VmRecord, to: VmState = 'SHUTOFF'): void {
  vm.state = to
  vm.uiState = to
  vm.nodeUUID = ''
  vm.guestAgentState = 'UNAVAILABLE'
  vm.console = { ...vm.console, ip: '', port: 0 }
  for (const nic of vm.netDevs) nic.ipv4Addresses = []
}

/**
 * Applies one power action with the state rules of a 9.4 cluster: START only from a powered-off or paused VM
 * (resuming a paused one), everything else only from RUNNING. Throws TaskFailure when the action does not apply.
 */
export function applyAction (state: SimulatorState, vm: VmRecord, actionType: string, nodeUUID?: string): void {
  const refuse = (why: string): never => {
    throw new TaskFailure(`Cannot ${(ACTION_VERBS[actionType] ?? actionType).toLowerCase()} ${label(vm)}: ${why}`)
  }
  if (actionType === 'START') {
    if (vm.state === 'PAUSED') {
      vm.state = 'RUNNING'
      vm.uiState = 'RUNNING'
      return
    }
    if (!isOff(vm)) refuse(`it is already ${vm.state}`)
    const preferred = vm.affinityStrategy.preferredNodeUUID
    const node = nodeUUID !== undefined && nodeUUID !== ''
      ? state.nodes.get(nodeUUID)
      : (preferred !== '' ? state.nodes.get(preferred) : undefined) ?? leastLoadedNode(state)
    if (node === undefined) refuse('no node can run it')
    powerOn(state, vm, node as SimRecord)
    return
  }
  if (vm.state !== 'RUNNING') refuse(`it is ${vm.state}, and this action needs it RUNNING`)
  switch (actionType) {
    case 'SHUTDOWN':
    case 'STOP':
      powerOff(vm)
      return
    case 'PAUSE':
      vm.state = 'PAUSED'
      vm.uiState = 'PAUSED'
      return
    case 'REBOOT':
    case 'RESET':
    case 'NMI':
      return
    case 'LIVEMIGRATE': {
      const target = nodeUUID !== undefined && nodeUUID !== '' ? state.nodes.get(nodeUUID) : leastLoadedNode(state, vm.nodeUUID)
      if (target === undefined) return refuse('there is no other node to move it to')
      if (target.uuid === vm.nodeUUID) refuse(`it already runs on node ${target.lanIP as string}`)
      vm.nodeUUID = target.uuid
      vm.lastSeenRunningOnNodeUUID = target.uuid
      vm.console = { ...vm.console, ip: target.lanIP as string }
      return
    }
    default:
      refuse('unknown action')
  }
}

const virDomainAction: Handler = ({ sim, body }) => {
  if (!Array.isArray(body)) throw badRequest('the body must be an array of {virDomainUUID, actionType}')
  if (body.length === 0) throw badRequest('the body must hold at least one action')
  const actions = body.map((raw, i) => {
    const item = bodyObject(raw, `[${i}]`)
    const uuid = optString(item, 'virDomainUUID', `[${i}].`) ?? ''
    const actionType = optString(item, 'actionType', `[${i}].`) ?? ''
    if (!(actionType in ACTION_VERBS)) throw badRequest(`[${i}].actionType must be one of ${Object.keys(ACTION_VERBS).join(', ')}`)
    const vm = requireVm(sim.state, uuid)
    const nodeUUID = optString(item, 'nodeUUID', `[${i}].`)
    if (nodeUUID !== undefined && nodeUUID !== '' && !sim.state.nodes.has(nodeUUID)) throw notFound('Node', nodeUUID)
    return { vm, actionType, nodeUUID }
  })
  const description = actions.map((a) => `${ACTION_VERBS[a.actionType] as string} ${label(a.vm)}`).join('; ')
  const tag = sim.tasks.start({
    description,
    objectUUIDs: actions.map((a) => a.vm.uuid),
    run () {
      const failures: string[] = []
      for (const a of actions) {
        // The VM may have been deleted while the task waited.
        const vm = sim.state.vms.get(a.vm.uuid)
        if (vm === undefined) {
          failures.push(`${label(a.vm)} no longer exists`)
          continue
        }
        try {
          applyAction(sim.state, vm, a.actionType, a.nodeUUID)
          vm.modified = unixNow()
        } catch (err) {
          if (!(err instanceof TaskFailure)) throw err
          failures.push(err.message)
        }
      }
      if (failures.length > 0) throw new TaskFailure(failures.join('; '))
    }
  })
  return taskAnswer(tag)
}

function readBlockDevInput (state: SimulatorState, raw: Record<string, unknown>, prefix: string): Partial<BlockDeviceRecord> {
  const type = optString(raw, 'type', prefix) ?? 'VIRTIO_DISK'
  if (!BLOCK_TYPES.has(type)) throw badRequest(`${prefix}type must be one of ${[...BLOCK_TYPES].join(', ')}`)
  const capacity = optInt(raw, 'capacity', prefix)
  if (type.endsWith('_DISK') && capacity === undefined) throw badRequest(`${prefix}capacity (bytes) is required for a ${type}`)
  if (capacity !== undefined && capacity < 0) throw badRequest(`${prefix}capacity must not be negative`)
  const path = optString(raw, 'path', prefix)
  const name = optString(raw, 'name', prefix)
  if (type === 'IDE_CDROM') {
    const ref = path !== undefined && path !== '' ? path : name
    if (ref !== undefined && ref !== '') {
      const iso = state.findIso(ref)
      if (iso === undefined) throw notFound('ISO', ref)
      if (iso.readyForInsert !== true) throw badRequest(`ISO "${iso.name as string}" is not ready to be inserted (its upload has not finished)`)
    }
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

function readNetDevInput (raw: Record<string, unknown>, prefix: string): Partial<NetDeviceRecord> {
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

function checkVmFields (state: SimulatorState, dom: Record<string, unknown>, prefix: string): void {
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

function pickEditable (dom: Record<string, unknown>): Partial<VmRecord> {
  const out: Record<string, unknown> = {}
  for (const key of EDITABLE_VM_FIELDS) if (dom[key] !== undefined) out[key] = structuredClone(dom[key])
  if (out.affinityStrategy !== undefined) out.affinityStrategy = { strictAffinity: false, preferredNodeUUID: '', backupNodeUUID: '', ...(out.affinityStrategy as object) }
  if (out.cloudInitData !== undefined) out.cloudInitData = { userData: '', metaData: '', ...(out.cloudInitData as object) }
  return out as Partial<VmRecord>
}

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
  if (keyword !== undefined && MACHINE_TYPES[keyword] === undefined) throw badRequest(`options.machineTypeKeyword must be one of ${Object.keys(MACHINE_TYPES).join(', ')}`)
  const blockInputs = (Array.isArray(dom.blockDevs) ? dom.blockDevs : []).map((d, i) => readBlockDevInput(state, bodyObject(d, `dom.blockDevs[${i}]`), `dom.blockDevs[${i}].`))
  const netInputs = (Array.isArray(dom.netDevs) ? dom.netDevs : []).map((d, i) => readNetDevInput(bodyObject(d, `dom.netDevs[${i}]`), `dom.netDevs[${i}].`))
  const attachTools = optBool(options, 'attachGuestToolsISO', 'options.') === true

  const uuid = state.newUUID()
  const tag = sim.tasks.start({
    description: `Create VM "${name}"`,
    objectUUIDs: [uuid],
    run () {
      const now = unixNow()
      const fields = pickEditable(dom)
      const machineType = keyword !== undefined ? MACHINE_TYPES[keyword] : fields.machineType
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
      current.modified = unixNow()
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
function instantiate (state: SimulatorState, source: VmRecord, uuid: string, template: Record<string, unknown>, extra: Partial<VmRecord>): VmRecord {
  const now = unixNow()
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
    ? template.netDevs.map((n, i) => readNetDevInput(bodyObject(n, `template.netDevs[${i}]`), `template.netDevs[${i}].`))
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

const cloneVirDomain: Handler = ({ sim, params, body }) => {
  const { state } = sim
  const vm = requireVm(state, params.virDomainUUID as string)
  const req = fieldObject(body, 'the request body')
  const template = fieldObject(req.template, 'template')
  const snapUUID = optString(req, 'snapUUID')
  if (snapUUID !== undefined && snapUUID !== '') {
    const snap = state.snapshots.get(snapUUID)
    if (snap === undefined) throw notFound('VirDomainSnapshot', snapUUID)
    if (snap.domainUUID !== vm.uuid) throw badRequest(`snapshot "${snapUUID}" belongs to another VM, not to ${label(vm)}`)
  }
  checkVmFields(state, template, 'template.')
  if (Array.isArray(template.netDevs)) template.netDevs.forEach((n, i) => readNetDevInput(bodyObject(n, `template.netDevs[${i}]`), `template.netDevs[${i}].`))
  const name = optString(template, 'name', 'template.') ?? `${vm.name}-clone`
  if (name.trim() === '') throw badRequest('template.name must not be empty')
  const uuid = state.newUUID()
  const tag = sim.tasks.start({
    description: `Clone ${label(vm)} as "${name}"${snapUUID !== undefined && snapUUID !== '' ? ' from a snapshot' : ''}`,
    objectUUIDs: [vm.uuid, uuid],
    run () {
      const source = snapUUID !== undefined && snapUUID !== '' ? state.snapshots.get(snapUUID)?.domain : state.vms.get(vm.uuid)
      if (source === undefined) throw new TaskFailure(`The source of the clone (${label(vm)}${snapUUID !== undefined ? ' or its snapshot' : ''}) no longer exists`)
      instantiate(state, source, uuid, template, { name, sourceVirDomainUUID: vm.uuid, initialCloneSnapshotUUID: snapUUID ?? '', snapshotScheduleUUID: '' })
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
  const snapUUID = optString(req, 'snapUUID')
  if (snapUUID !== undefined && snapUUID !== '') {
    const snap = state.snapshots.get(snapUUID)
    if (snap === undefined) throw notFound('VirDomainSnapshot', snapUUID)
    if (snap.domainUUID !== vm.uuid) throw badRequest(`snapshot "${snapUUID}" belongs to another VM, not to ${label(vm)}`)
  }
  const masked = maskUriPasswords(pathURI, '****')
  const tag = sim.tasks.start({
    description: `Export ${label(vm)} to ${masked}/${fileName}`,
    objectUUIDs: [vm.uuid],
    run () {
      const source = snapUUID !== undefined && snapUUID !== '' ? state.snapshots.get(snapUUID)?.domain : state.vms.get(vm.uuid)
      if (source === undefined) throw new TaskFailure(`${label(vm)} (or the snapshot to export) no longer exists`)
      const folder = folderKey(pathURI)
      state.exports.set(`${folder}/${fileName.toLowerCase()}`, { location: `${masked}/${fileName}`, folder, definition: copyVm(source), exportedAt: unixNow() })
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
      instantiate(state, found.definition, uuid, template, { sourceVirDomainUUID: '', initialCloneSnapshotUUID: '', snapshotScheduleUUID: '', replicationUUIDs: [] })
    }
  })
  return taskAnswer(tag, uuid)
}

const createSnapshot: Handler = ({ sim, body }) => {
  const { state } = sim
  const req = bodyObject(body)
  const domainUUID = optString(req, 'domainUUID')
  if (domainUUID === undefined || domainUUID === '') throw badRequest('domainUUID (the VM to snapshot) is required')
  const vm = requireVm(state, domainUUID)
  const snapLabel = optString(req, 'label') ?? ''
  const type = optString(req, 'type') ?? 'USER'
  const replication = optBool(req, 'replication')
  const localRetain = optInt(req, 'localRetainUntilTimestamp') ?? 0
  const uuid = state.newUUID()
  const tag = sim.tasks.start({
    description: `Snapshot ${label(vm)}${snapLabel === '' ? '' : ` ("${snapLabel}")`}`,
    objectUUIDs: [vm.uuid, uuid],
    run () {
      const current = state.vms.get(vm.uuid)
      if (current === undefined) throw new TaskFailure(`${label(vm)} no longer exists`)
      const now = unixNow()
      addSnapshot(state, state.rng, current, { uuid, label: snapLabel, type, timestamp: now, automatedTriggerTimestamp: type === 'AUTOMATED' ? now : 0, localRetainUntilTimestamp: localRetain, ...(replication === undefined ? {} : { replication }) })
    }
  })
  return taskAnswer(tag, uuid)
}

const deleteSnapshot: Handler = ({ sim, params }) => {
  const { state } = sim
  const uuid = params.uuid as string
  const snap = state.snapshots.get(uuid)
  if (snap === undefined) throw notFound('VirDomainSnapshot', uuid)
  const tag = sim.tasks.start({
    description: `Delete snapshot${snap.label === '' ? '' : ` "${snap.label}"`} of VM "${snap.domain.name}"`,
    objectUUIDs: [uuid, snap.domainUUID],
    run () {
      if (!state.snapshots.has(uuid)) throw new TaskFailure('The snapshot no longer exists')
      state.snapshots.delete(uuid)
      const vm = state.vms.get(snap.domainUUID)
      if (vm !== undefined) {
        vm.snapUUIDs = vm.snapUUIDs.filter((id) => id !== uuid)
        vm.snapshotListSerialNumber += 1
      }
    }
  })
  return taskAnswer(tag)
}

function requireBlockDevice (state: SimulatorState, uuid: string): BlockDeviceRecord {
  const dev = state.blockDevices.get(uuid)
  if (dev === undefined) throw notFound('VirDomainBlockDevice', uuid)
  return dev
}

function checkHotPlug (vm: VmRecord, type: string, verb: string): void {
  if (!isOff(vm) && !HOT_PLUG_TYPES.has(type)) {
    throw new TaskFailure(`Cannot ${verb} a ${type} device while ${label(vm)} is ${vm.state}; shut it down first`)
  }
}

function attachNewBlockDevice (sim: SimContext, vmUUID: string, input: Partial<BlockDeviceRecord>, description: string): { tag: string, uuid: string } {
  const { state } = sim
  const vm = requireVm(state, vmUUID)
  const type = input.type ?? 'VIRTIO_DISK'
  if (input.slot !== undefined && input.slot >= 0 && vm.blockDevs.some((d) => d.type === type && d.slot === input.slot)) {
    throw badRequest(`slot ${input.slot} of ${label(vm)} already holds a ${type}`)
  }
  const uuid = state.newUUID()
  const tag = sim.tasks.start({
    description: `${description} on ${label(vm)}`,
    objectUUIDs: [vm.uuid, uuid],
    run () {
      const current = state.vms.get(vm.uuid)
      if (current === undefined) throw new TaskFailure(`${label(vm)} no longer exists`)
      checkHotPlug(current, type, 'add')
      state.attachBlockDevice(current, newBlockDevice(state, current, { ...input, uuid }, unixNow()))
      if (current.bootDevices.length === 0 && type.endsWith('_DISK')) current.bootDevices = [uuid]
      current.modified = unixNow()
      state.refreshIsoMounts()
    }
  })
  return { tag, uuid }
}

const createBlockDevice: Handler = ({ sim, body }) => {
  const req = bodyObject(body)
  const vmUUID = optString(req, 'virDomainUUID')
  if (vmUUID === undefined || vmUUID === '') throw badRequest('virDomainUUID is required: a block device belongs to a VM')
  requireVm(sim.state, vmUUID)
  const input = readBlockDevInput(sim.state, req, '')
  const { tag, uuid } = attachNewBlockDevice(sim, vmUUID, input, `Add ${input.type as string} device`)
  return taskAnswer(tag, uuid)
}

const updateBlockDevice: Handler = ({ sim, params, body }) => {
  const { state } = sim
  const dev = requireBlockDevice(state, params.uuid as string)
  const req = bodyObject(body)
  const moveTo = optString(req, 'virDomainUUID')
  if (moveTo !== undefined && moveTo !== dev.virDomainUUID) throw badRequest('virDomainUUID cannot be changed: a block device cannot move to another VM')
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
    if (ref !== '') {
      iso = state.findIso(ref)
      if (iso === undefined) throw notFound('ISO', ref)
      if (iso.readyForInsert !== true) throw badRequest(`ISO "${iso.name as string}" is not ready to be inserted`)
    }
  }
  const cacheMode = optString(req, 'cacheMode')
  const disable = optBool(req, 'disableSnapshotting')
  const tiering = optInt(req, 'tieringPriorityFactor')
  const vm = state.vms.get(dev.virDomainUUID)
  const tag = sim.tasks.start({
    description: `Update ${dev.type} device${vm === undefined ? '' : ` of ${label(vm)}`}`,
    objectUUIDs: [dev.uuid],
    run () {
      const current = state.blockDevices.get(dev.uuid)
      if (current === undefined) throw new TaskFailure('The block device no longer exists')
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
    }
  })
  return taskAnswer(tag)
}

const deleteBlockDevice: Handler = ({ sim, params }) => {
  const { state } = sim
  const dev = requireBlockDevice(state, params.uuid as string)
  const vm = state.vms.get(dev.virDomainUUID)
  const tag = sim.tasks.start({
    description: `Remove ${dev.type} device${vm === undefined ? '' : ` from ${label(vm)}`}`,
    objectUUIDs: [dev.uuid],
    run () {
      const current = state.blockDevices.get(dev.uuid)
      if (current === undefined) throw new TaskFailure('The block device no longer exists')
      const owner = state.vms.get(current.virDomainUUID)
      if (owner !== undefined) checkHotPlug(owner, current.type, 'remove')
      state.detachBlockDevice(current.uuid)
    }
  })
  return taskAnswer(tag)
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
  const template = bodyObject(req.template, 'template')
  const options = fieldObject(req.options, 'options')
  const vmUUID = optString(template, 'virDomainUUID', 'template.') ?? ''
  requireVm(state, vmUUID)
  const input = readBlockDevInput(state, template, 'template.')
  if ((input.capacity ?? 0) < devSnap.capacity) input.capacity = devSnap.capacity
  input.readOnly = optBool(options, 'readOnly', 'options.') ?? false
  const { tag, uuid } = attachNewBlockDevice(sim, vmUUID, input, `Attach a disk from a snapshot of VM "${snap.domain.name}"`)
  return taskAnswer(tag, uuid)
}

const attachVirtualDisk: Handler = ({ sim, params, body }) => {
  const { state } = sim
  const disk = state.collection('VirtualDisk').get(params.uuid as string)
  if (disk === undefined) throw notFound('VirtualDisk', params.uuid as string)
  const req = bodyObject(body)
  const template = bodyObject(req.template, 'template')
  const options = fieldObject(req.options, 'options')
  const vmUUID = optString(template, 'virDomainUUID', 'template.') ?? ''
  requireVm(state, vmUUID)
  const input = readBlockDevInput(state, template, 'template.')
  // As with a disk cloned from a snapshot, the new device can be larger than the image but never smaller.
  const size = disk.capacity as number
  if ((input.capacity ?? 0) < size) input.capacity = size
  input.readOnly = optBool(options, 'readOnly', 'options.') ?? false
  const { tag, uuid } = attachNewBlockDevice(sim, vmUUID, input, `Attach virtual disk "${disk.name as string}"`)
  return taskAnswer(tag, uuid)
}

function requireNetDevice (state: SimulatorState, uuid: string): NetDeviceRecord {
  const dev = state.netDevices.get(uuid)
  if (dev === undefined) throw notFound('VirDomainNetDevice', uuid)
  return dev
}

const createNetDevice: Handler = ({ sim, body }) => {
  const { state } = sim
  const req = bodyObject(body)
  const vmUUID = optString(req, 'virDomainUUID')
  if (vmUUID === undefined || vmUUID === '') throw badRequest('virDomainUUID is required: a network device belongs to a VM')
  const vm = requireVm(state, vmUUID)
  const input = readNetDevInput(req, '')
  const uuid = state.newUUID()
  const tag = sim.tasks.start({
    description: `Add network device to ${label(vm)}`,
    objectUUIDs: [vm.uuid, uuid],
    run () {
      const current = state.vms.get(vm.uuid)
      if (current === undefined) throw new TaskFailure(`${label(vm)} no longer exists`)
      if (!isOff(current)) throw new TaskFailure(`Cannot add a network device while ${label(current)} is ${current.state}; the VM must be shut off`)
      state.attachNetDevice(current, newNetDevice(state, current, { ...input, uuid }))
      current.modified = unixNow()
    }
  })
  return taskAnswer(tag, uuid)
}

const updateNetDevice: Handler = ({ sim, params, body }) => {
  const { state } = sim
  const dev = requireNetDevice(state, params.uuid as string)
  const req = bodyObject(body)
  const moveTo = optString(req, 'virDomainUUID')
  if (moveTo !== undefined && moveTo !== dev.virDomainUUID) throw badRequest('virDomainUUID cannot be changed: a network device cannot move to another VM')
  const input = readNetDevInput(req, '')
  const vm = state.vms.get(dev.virDomainUUID)
  const tag = sim.tasks.start({
    description: `Update network device${vm === undefined ? '' : ` of ${label(vm)}`}`,
    objectUUIDs: [dev.uuid],
    run () {
      const current = state.netDevices.get(dev.uuid)
      if (current === undefined) throw new TaskFailure('The network device no longer exists')
      const owner = state.vms.get(current.virDomainUUID)
      const hardware = (input.type !== undefined && input.type !== current.type) || (input.macAddress !== undefined && input.macAddress.toUpperCase() !== current.macAddress)
      if (hardware && owner !== undefined && !isOff(owner)) {
        throw new TaskFailure(`Cannot change the type or MAC address of a network device while ${label(owner)} is ${owner.state}`)
      }
      Object.assign(current, input)
      if (input.macAddress !== undefined) current.macAddress = input.macAddress.toUpperCase()
      if (input.connected === false) current.ipv4Addresses = []
    }
  })
  return taskAnswer(tag)
}

const deleteNetDevice: Handler = ({ sim, params }) => {
  const { state } = sim
  const dev = requireNetDevice(state, params.uuid as string)
  const vm = state.vms.get(dev.virDomainUUID)
  const tag = sim.tasks.start({
    description: `Remove network device${vm === undefined ? '' : ` from ${label(vm)}`}`,
    objectUUIDs: [dev.uuid],
    run () {
      const current = state.netDevices.get(dev.uuid)
      if (current === undefined) throw new TaskFailure('The network device no longer exists')
      const owner = state.vms.get(current.virDomainUUID)
      if (owner !== undefined && !isOff(owner)) throw new TaskFailure(`Cannot remove a network device while ${label(owner)} is ${owner.state}; the VM must be shut off`)
      state.detachNetDevice(current.uuid)
    }
  })
  return taskAnswer(tag)
}

function hash (text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  return h
}

/** Live usage figures for a VM: smooth waves per VM so numbers move over time but stay plausible; zero when off. */
export function vmStats (vm: VmRecord, nowMs = Date.now()): Record<string, unknown> {
  const h = hash(vm.uuid)
  const t = nowMs / 1000
  const running = vm.state === 'RUNNING'
  const wave = (period: number, phase: number): number => (Math.sin(t / period + phase) + 1) / 2
  const cpuBase = 3 + (h % 40)
  const cpu = running ? Math.min(100, cpuBase * (0.6 + 0.8 * wave(90 + (h % 60), h % 7))) : 0
  const net = running ? 50_000 + (h % 5_000_000) : 0
  const ioRate = running ? 20 + (h % 400) : 0
  const uptime = running ? 86_400 + (h % 2_000_000) + t - 1_767_225_600 : 0
  return {
    uuid: vm.uuid,
    virDomainUUID: vm.uuid,
    timestamp: Math.floor(t),
    cpuUsage: Math.round(cpu * 100) / 100,
    rxBitRate: Math.round(net * (0.5 + wave(45, h % 5))),
    txBitRate: Math.round(net * 0.6 * (0.5 + wave(37, h % 3))),
    // Cumulative counters: they only grow while the VM runs.
    rdBytes: Math.floor(uptime * ioRate * 4096),
    wrBytes: Math.floor(uptime * ioRate * 0.7 * 4096),
    vsdStats: vm.blockDevs.filter((d) => d.type.endsWith('_DISK')).map((d, i) => {
      const k = (hash(d.uuid) % 100) / 100
      const reads = running ? Math.round(ioRate * (0.3 + k) * (0.5 + wave(30 + i * 7, k * 6))) : 0
      const writes = running ? Math.round(ioRate * 0.6 * (0.3 + k) * (0.5 + wave(41 + i * 5, k * 3))) : 0
      return {
        uuid: d.uuid,
        rates: [{
          readsPerSecond: reads,
          writesPerSecond: writes,
          readKibibytesPerSecond: reads * 16,
          writeKibibytesPerSecond: writes * 24,
          millisecondsRead: running ? Math.round((1 + k * 4) * 100) / 100 : 0,
          millisecondsWrite: running ? Math.round((2 + k * 6) * 100) / 100 : 0
        }]
      }
    })
  }
}

const listVirDomainStats: Handler = ({ sim }) => {
  const now = Date.now()
  return [...sim.state.vms.values()].map((vm) => vmStats(vm, now))
}

const getVirDomainStats: Handler = ({ sim, params }) => [vmStats(requireVm(sim.state, params.virDomainUUID as string))]

/** The VM-related operations, by `METHOD /template`. */
export const vmHandlers: Record<string, Handler> = {
  'POST /VirDomain': createVirDomain,
  'POST /VirDomain/{virDomainUUID}': updateVirDomain,
  'PATCH /VirDomain/{virDomainUUID}': updateVirDomain,
  'DELETE /VirDomain/{virDomainUUID}': deleteVirDomain,
  'POST /VirDomain/action': virDomainAction,
  'POST /VirDomain/{virDomainUUID}/clone': cloneVirDomain,
  'POST /VirDomain/{virDomainUUID}/export': exportVirDomain,
  'POST /VirDomain/import': importVirDomain,
  'POST /VirDomainSnapshot': createSnapshot,
  'DELETE /VirDomainSnapshot/{uuid}': deleteSnapshot,
  'POST /VirDomainBlockDevice': createBlockDevice,
  'POST /VirDomainBlockDevice/{uuid}': updateBlockDevice,
  'PATCH /VirDomainBlockDevice/{uuid}': updateBlockDevice,
  'DELETE /VirDomainBlockDevice/{uuid}': deleteBlockDevice,
  'POST /VirDomainBlockDevice/{uuid}/clone': cloneBlockDevice,
  'POST /VirtualDisk/{uuid}/attach': attachVirtualDisk,
  'POST /VirDomainNetDevice': createNetDevice,
  'POST /VirDomainNetDevice/{uuid}': updateNetDevice,
  'PATCH /VirDomainNetDevice/{uuid}': updateNetDevice,
  'DELETE /VirDomainNetDevice/{uuid}': deleteNetDevice,
  'GET /VirDomainStats': listVirDomainStats,
  'GET /VirDomainStats/{virDomainUUID}': getVirDomainStats
}
