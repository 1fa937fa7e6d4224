import type { SimulatorState } from './state.js'
import type { BlockDeviceRecord, NetDeviceRecord, SimRecord, VmRecord } from './types.js'

/** Bytes in one GiB. */
export const GIB = 1024 ** 3

/** The machine types behind each `machineTypeKeyword`. */
export const MACHINE_TYPES: Record<string, string> = {
  bios: 'scale-7.2',
  uefi: 'scale-8.10',
  tpm: 'scale-uefi-tpm-9.2'
}

/** The keyword for a machine type (reverse of MACHINE_TYPES). */
export function machineTypeKeyword (machineType: string): string {
  for (const [keyword, type] of Object.entries(MACHINE_TYPES)) if (type === machineType) return keyword
  return machineType.includes('tpm') ? 'tpm' : machineType.includes('8.') ? 'uefi' : 'bios'
}

/** States in which a VM counts as powered off. */
export const OFF_STATES = new Set(['SHUTOFF', 'SHUTDOWN', 'CRASHED'])

/** Disk types that can be added or removed while the VM runs. */
export const HOT_PLUG_TYPES = new Set(['VIRTIO_DISK', 'SCSI_DISK', 'IDE_CDROM'])

/** Fields of a new VM; anything left out gets a sensible default (devices are attached separately). */
export type VmInput = Partial<VmRecord> & { name: string }

/** Builds a VM record (without devices) with every field a 9.4 cluster reports; BIOS unless a machine type is given. */
export function newVm (state: SimulatorState, input: VmInput, now: number): VmRecord {
  const machineType = input.machineType ?? MACHINE_TYPES.bios as string
  return {
    uuid: input.uuid ?? state.newUUID(),
    nodeUUID: input.nodeUUID ?? '',
    name: input.name,
    description: input.description ?? '',
    operatingSystem: input.operatingSystem ?? 'os_other',
    state: input.state ?? 'SHUTOFF',
    desiredDisposition: 'ACTIVE',
    console: input.console ?? { type: 'VNC', ip: '', port: 0, password: '', keymap: 'en-us' },
    mem: input.mem ?? 4 * GIB,
    numVCPU: input.numVCPU ?? 2,
    blockDevs: [],
    netDevs: [],
    created: input.created ?? now,
    modified: input.modified ?? now,
    tags: input.tags ?? '',
    bootDevices: input.bootDevices ?? [],
    uiState: input.state ?? 'SHUTOFF',
    snapUUIDs: [],
    snapshotSerialNumber: input.snapshotSerialNumber ?? 0,
    replicationUUIDs: [],
    sourceVirDomainUUID: input.sourceVirDomainUUID ?? '',
    snapshotListSerialNumber: input.snapshotListSerialNumber ?? 0,
    snapshotScheduleUUID: input.snapshotScheduleUUID ?? '',
    machineType,
    machineTypeKeyword: machineTypeKeyword(machineType),
    cpuType: input.cpuType ?? 'clusterBaseline-7.3',
    snapshotAllocationBlocks: input.snapshotAllocationBlocks ?? 0,
    guestAgentState: input.guestAgentState ?? 'UNAVAILABLE',
    lastSeenRunningOnNodeUUID: input.lastSeenRunningOnNodeUUID ?? '',
    isTransient: false,
    affinityStrategy: input.affinityStrategy ?? { strictAffinity: false, preferredNodeUUID: '', backupNodeUUID: '' },
    cloudInitData: input.cloudInitData ?? { userData: '', metaData: '' },
    initialCloneSnapshotUUID: input.initialCloneSnapshotUUID ?? ''
  }
}

/** Fields of a new block device; `type` and `capacity` matter most. */
export type BlockDeviceInput = Partial<BlockDeviceRecord>

/** Builds a block device for a VM; picks the next free slot when none (or -1) is given. */
export function newBlockDevice (state: SimulatorState, vm: VmRecord, input: BlockDeviceInput, now: number): BlockDeviceRecord {
  const uuid = input.uuid ?? state.newUUID()
  const type = input.type ?? 'VIRTIO_DISK'
  const isCdrom = type === 'IDE_CDROM'
  const capacity = input.capacity ?? (isCdrom ? 0 : 10 * GIB)
  let slot = input.slot ?? -1
  if (slot < 0) {
    const taken = new Set(vm.blockDevs.filter((d) => d.type === type).map((d) => d.slot))
    slot = 0
    while (taken.has(slot)) slot++
  }
  let path = input.path ?? ''
  let name = input.name ?? ''
  if (isCdrom) {
    const iso = path === '' && name === '' ? undefined : state.findIso(path !== '' ? path : name)
    path = iso === undefined ? '' : iso.path as string
    name = iso === undefined ? '' : iso.name as string
  } else {
    path = `scribe/${uuid}`
  }
  return {
    uuid,
    virDomainUUID: vm.uuid,
    type,
    cacheMode: input.cacheMode ?? (isCdrom ? 'NONE' : 'WRITETHROUGH'),
    capacity,
    // Thin provisioning: a fraction of the disk is actually written.
    allocation: input.allocation ?? (isCdrom ? 0 : Math.floor(capacity * 0.35 / 1048576) * 1048576),
    physical: input.physical ?? (isCdrom ? 0 : Math.floor(capacity * 0.4 / 1048576) * 1048576),
    shareUUID: '',
    path,
    slot,
    name,
    disableSnapshotting: input.disableSnapshotting ?? false,
    tieringPriorityFactor: input.tieringPriorityFactor ?? 8,
    mountPoints: input.mountPoints ?? [],
    createdTimestamp: input.createdTimestamp ?? now,
    readOnly: input.readOnly ?? false
  }
}

/** Builds a NIC for a VM with a fresh MAC unless one is given. */
export function newNetDevice (state: SimulatorState, vm: VmRecord, input: Partial<NetDeviceRecord>): NetDeviceRecord {
  return {
    uuid: input.uuid ?? state.newUUID(),
    virDomainUUID: vm.uuid,
    type: input.type ?? 'VIRTIO',
    macAddress: input.macAddress !== undefined && input.macAddress !== '' ? input.macAddress.toUpperCase() : state.newMac(),
    vlan: input.vlan ?? 0,
    connected: input.connected ?? true,
    ipv4Addresses: input.ipv4Addresses ?? []
  }
}

/** A deep copy of a VM (devices included) for snapshots and exports. */
export function copyVm (vm: VmRecord): VmRecord {
  return structuredClone(vm)
}

/** A share folder without credentials or trailing slash, lower case, for matching an import to an earlier export. */
export function folderKey (uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1').replace(/\/+$/, '').toLowerCase()
}

/** The fixed UUIDs of the records a cluster has at most one of (the Ansible collection addresses them by these). */
export const SINGLETON_UUIDS: Record<string, string> = {
  DNSConfig: 'dnsconfig_guid',
  TimeSource: 'timesource_guid',
  TimeZone: 'timezone_guid',
  AlertSMTPConfig: 'smtpconfig_guid',
  Registration: 'registration_guid',
  OIDCConfig: 'oidcconfig_uuid'
}

/** A VirtualDisk record with the fields virtual_disk.py reads (`capacityBytes`, `blockSize`, `replicationFactor`). */
export function virtualDiskRecord (uuid: string, name: string, bytes: number, created: number): SimRecord {
  return { uuid, name, blockSize: 512, capacityBytes: bytes, totalAllocationBytes: Math.ceil(bytes / 1_048_576) * 1_048_576, replicationFactor: 2, created }
}
