/** Any stored record: JSON-ready, keyed by `uuid`. */
export interface SimRecord {
  uuid: string
  [field: string]: unknown
}

/** The VM power states a HyperCore 9.4 cluster reports. */
export type VmState = 'RUNNING' | 'SHUTOFF' | 'BLOCKED' | 'PAUSED' | 'SHUTDOWN' | 'CRASHED'

/** A VM's disk, CD-ROM, NVRAM or vTPM device. */
export interface BlockDeviceRecord extends SimRecord {
  virDomainUUID: string
  type: string
  cacheMode: string
  capacity: number
  allocation: number
  physical: number
  shareUUID: string
  path: string
  slot: number
  name: string
  disableSnapshotting: boolean
  tieringPriorityFactor: number
  mountPoints: string[]
  createdTimestamp: number
  readOnly: boolean
}

/** A VM's network interface. */
export interface NetDeviceRecord extends SimRecord {
  virDomainUUID: string
  type: string
  macAddress: string
  vlan: number
  connected: boolean
  ipv4Addresses: string[]
}

/** A VM (VirDomain) as the API returns it; devices are the same objects as in their own collections. */
export interface VmRecord extends SimRecord {
  nodeUUID: string
  name: string
  description: string
  operatingSystem: string
  state: VmState
  desiredDisposition: string
  console: { type: string, ip: string, port: number, password: string, keymap: string }
  mem: number
  numVCPU: number
  blockDevs: BlockDeviceRecord[]
  netDevs: NetDeviceRecord[]
  created: number
  modified: number
  tags: string
  bootDevices: string[]
  uiState: string
  snapUUIDs: string[]
  snapshotSerialNumber: number
  replicationUUIDs: string[]
  sourceVirDomainUUID: string
  snapshotListSerialNumber: number
  snapshotScheduleUUID: string
  machineType: string
  machineTypeKeyword: string
  cpuType: string
  snapshotAllocationBlocks: number
  guestAgentState: string
  lastSeenRunningOnNodeUUID: string
  isTransient: boolean
  affinityStrategy: { strictAffinity: boolean, preferredNodeUUID: string, backupNodeUUID: string }
  cloudInitData: { userData: string, metaData: string }
  initialCloneSnapshotUUID: string
}

/** A point-in-time copy of a VM and its disks. */
export interface SnapshotRecord extends SimRecord {
  domainUUID: string
  domain: VmRecord
  deviceSnapshots: Array<{ uuid: string, blockDeviceUUID: string, type: string, capacity: number, slot: number }>
  timestamp: number
  label: string
  type: string
  automatedTriggerTimestamp: number
  localRetainUntilTimestamp: number
  remoteRetainUntilTimestamp: number
  blockCountDiffFromSerialNumber: number
  replication: boolean
}
