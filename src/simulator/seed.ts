import { createRng, type Rng } from './prng.js'
import { SimulatorState } from './state.js'
import { GIB, MACHINE_TYPES, SINGLETON_UUIDS, newBlockDevice, newNetDevice, newVm, virtualDiskRecord } from './model.js'
import { addSnapshot } from './snapshots.js'
import type { SimRecord, VmState } from './types.js'

/** Options for building the initial cluster. */
export interface SeedOptions {
  seed: number
  vms: number
  /** The account the simulator accepts; it appears as a User with the Admin role. */
  username: string
  /** The nodes' `lanIP` addresses, one node each (default three nodes on 127.0.0.1-3, where the simulator listens). */
  nodeAddresses?: string[]
  /** The HyperCore version the cluster reports (default 9.4.30.217736). */
  icosVersion?: string
}

/** The version a simulated cluster reports unless told otherwise. */
export const DEFAULT_ICOS_VERSION = '9.4.30.217736'

// Seed timestamps are fixed (2026-01-01T00:00:00Z minus offsets) so two starts with one seed are identical.
const SEED_EPOCH = 1_767_225_600
const DAY = 86_400

interface VmPlan {
  name: string
  description: string
  windows: boolean
  vcpu: number
  memGiB: number
  disksGiB: number[]
  tags: string
  state: VmState
  machine: 'bios' | 'uefi' | 'tpm'
  vlan: number
  cdrom?: string
  schedule?: 'daily' | 'hourly'
}

// The default small cluster: a typical SMB site with domain controllers, a database, web and app tiers, and a few odd ones.
const CURATED: VmPlan[] = [
  { name: 'dc01', description: 'Primary domain controller', windows: true, vcpu: 2, memGiB: 8, disksGiB: [80], tags: 'prod,infra', state: 'RUNNING', machine: 'uefi', vlan: 0, schedule: 'daily' },
  { name: 'dc02', description: 'Secondary domain controller', windows: true, vcpu: 2, memGiB: 8, disksGiB: [80], tags: 'prod,infra', state: 'RUNNING', machine: 'uefi', vlan: 0, schedule: 'daily' },
  { name: 'sql01', description: 'SQL Server 2019 for ERP', windows: true, vcpu: 8, memGiB: 32, disksGiB: [100, 500, 200], tags: 'prod,db', state: 'RUNNING', machine: 'uefi', vlan: 0, schedule: 'hourly' },
  { name: 'web01', description: 'nginx front end', windows: false, vcpu: 2, memGiB: 4, disksGiB: [40], tags: 'prod,web', state: 'RUNNING', machine: 'bios', vlan: 100, schedule: 'daily' },
  { name: 'web02', description: 'nginx front end', windows: false, vcpu: 2, memGiB: 4, disksGiB: [40], tags: 'prod,web', state: 'RUNNING', machine: 'bios', vlan: 100, schedule: 'daily' },
  { name: 'app01', description: 'ERP application server', windows: false, vcpu: 4, memGiB: 16, disksGiB: [60, 120], tags: 'prod,app', state: 'RUNNING', machine: 'uefi', vlan: 0, schedule: 'daily' },
  { name: 'file01', description: 'File server', windows: true, vcpu: 4, memGiB: 8, disksGiB: [80, 1024], tags: 'prod,files', state: 'RUNNING', machine: 'bios', vlan: 0, schedule: 'daily' },
  { name: 'backup-proxy', description: 'Backup proxy', windows: true, vcpu: 4, memGiB: 8, disksGiB: [80], tags: 'backup', state: 'RUNNING', machine: 'uefi', vlan: 0 },
  { name: 'dev-ubuntu', description: 'Developer sandbox', windows: false, vcpu: 2, memGiB: 4, disksGiB: [50], tags: 'dev', state: 'SHUTOFF', machine: 'uefi', vlan: 0, cdrom: 'ubuntu-24.04.1-live-server-amd64.iso' },
  { name: 'win11-test', description: 'Windows 11 test desktop', windows: true, vcpu: 4, memGiB: 8, disksGiB: [128], tags: 'test', state: 'SHUTOFF', machine: 'tpm', vlan: 0 },
  { name: 'legacy-erp', description: 'Old ERP kept for audits', windows: true, vcpu: 2, memGiB: 6, disksGiB: [120], tags: 'legacy', state: 'PAUSED', machine: 'bios', vlan: 0 },
  { name: 'k8s-worker-03', description: 'Kubernetes worker', windows: false, vcpu: 4, memGiB: 16, disksGiB: [80], tags: 'prod,k8s', state: 'CRASHED', machine: 'uefi', vlan: 0 }
]

const ROLES: ReadonlyArray<{ role: string, windows: boolean, vcpu: readonly number[], mem: readonly number[], disks: ReadonlyArray<readonly number[]>, tags: string }> = [
  { role: 'web', windows: false, vcpu: [2, 4], mem: [2, 8], disks: [[40]], tags: 'web' },
  { role: 'app', windows: false, vcpu: [2, 8], mem: [4, 16], disks: [[60], [60, 100]], tags: 'app' },
  { role: 'db', windows: false, vcpu: [4, 8], mem: [16, 64], disks: [[80, 500]], tags: 'db' },
  { role: 'sql', windows: true, vcpu: [4, 8], mem: [16, 32], disks: [[100, 400]], tags: 'db' },
  { role: 'rds', windows: true, vcpu: [4, 8], mem: [16, 32], disks: [[120]], tags: 'desktop' },
  { role: 'k8s', windows: false, vcpu: [4, 8], mem: [8, 32], disks: [[80]], tags: 'k8s' },
  { role: 'ci', windows: false, vcpu: [2, 8], mem: [4, 16], disks: [[100]], tags: 'dev' },
  { role: 'fs', windows: true, vcpu: [2, 4], mem: [4, 8], disks: [[80, 2048]], tags: 'files' }
]

/** Builds the deterministic initial cluster for these options. */
export function seedState (opts: SeedOptions): SimulatorState {
  const rng = createRng(opts.seed)
  const state = new SimulatorState(rng)
  const c = <T extends SimRecord>(name: string, record: T): T => {
    state.collection(name).set(record.uuid, record)
    return record
  }

  const clusterUUID = state.newUUID()
  c('Cluster', { uuid: clusterUUID, clusterName: 'hc3-prod', icosVersion: opts.icosVersion ?? DEFAULT_ICOS_VERSION, filesystemID: rng.hex(16), brand: 'Scale Computing', isRESTAPIEnabled: true })

  const lanIPs = opts.nodeAddresses ?? ['127.0.0.1', '127.0.0.2', '127.0.0.3']
  const nodes: SimRecord[] = []
  for (let i = 1; i <= lanIPs.length; i++) {
    nodes.push(c('Node', {
      uuid: state.newUUID(),
      peerID: i,
      lanIP: lanIPs[i - 1] as string,
      backplaneIP: `127.0.99.${10 + i}`,
      hostname: `hc3-node${i}`,
      serialNumber: `HC3-${rng.hex(8).toUpperCase()}`,
      model: 'HE500',
      numCPUs: 2,
      numCores: 32,
      numThreads: 64,
      CPUhz: 2_800_000_000,
      memSize: 512 * GIB,
      capacity: 0,
      networkStatus: 'ONLINE',
      virtualizationOnline: true,
      allowRunningVMs: true,
      supportsLiveMigration: true,
      maintenanceModeEnabled: false,
      currentDisposition: 'IN',
      desiredDisposition: 'IN',
      systemMemUsageBytes: 12 * GIB
    }))
  }
  for (const node of nodes) {
    let capacity = 0
    for (let slot = 0; slot < 4; slot++) {
      const ssd = slot === 0
      const bytes = ssd ? 3_840_000_000_000 : 8_000_000_000_000
      capacity += bytes
      c('Drive', {
        uuid: state.newUUID(),
        nodeUUID: node.uuid,
        slot,
        type: ssd ? 'SSD' : 'HDD',
        model: ssd ? 'SAMSUNG MZ7L33T8' : 'ST8000NM017B',
        serialNumber: rng.hex(10).toUpperCase(),
        capacityBytes: bytes,
        usedBytes: Math.floor(bytes * (0.3 + rng.next() * 0.2)),
        isHealthy: true,
        temperature: rng.int(28, 41),
        errorCount: 0,
        reallocatedSectors: 0
      })
    }
    node.capacity = capacity
  }

  const gpu = c('GPU', { uuid: state.newUUID(), nodeUUID: (nodes[2] ?? nodes.at(-1) as SimRecord).uuid, vendor: 'NVIDIA', model: 'A2', pciAddress: '0000:3b:00.0', memoryBytes: 16 * GIB })
  for (const [name, fb, max] of [['A2-1Q', 1, 16], ['A2-2Q', 2, 8], ['A2-4Q', 4, 4], ['A2-8Q', 8, 2], ['A2-16Q', 16, 1]] as const) {
    c('GPUProfile', { uuid: state.newUUID(), gpuUUID: gpu.uuid, name, framebufferBytes: fb * GIB, maxInstances: max, availableInstances: max })
  }

  const roles: Record<string, string> = {}
  for (const name of ['Admin', 'Read', 'Backup', 'Cluster Settings', 'Cluster Shutdown', 'VM Create/Edit', 'VM Delete', 'VM Power Controls']) {
    roles[name] = c('Role', { uuid: state.newUUID(), name }).uuid
  }
  c('User', { uuid: state.newUUID(), username: opts.username, fullName: 'Cluster Administrator', roleUUIDs: [roles.Admin as string], sessionLimit: 0 })
  c('User', { uuid: state.newUUID(), username: 'operator', fullName: 'Operations Team', roleUUIDs: [roles.Read as string, roles['VM Power Controls'] as string], sessionLimit: 0 })
  c('User', { uuid: state.newUUID(), username: 'backup-svc', fullName: 'Backup Service Account', roleUUIDs: [roles.Backup as string], sessionLimit: 4 })

  const isoPlan: Array<[string, number]> = [
    ['ubuntu-24.04.1-live-server-amd64.iso', 2_773_874_688],
    ['SERVER_EVAL_x64FRE_en-us.iso', 5_296_713_728],
    ['virtio-win-0.1.262.iso', 708_548_608],
    ['scale-guest-tools.iso', 52_428_800]
  ]
  for (const [name, size] of isoPlan) {
    const uuid = state.newUUID()
    c('ISO', { uuid, name, size, mounts: [], readyForInsert: true, path: `scribe/${uuid}` })
  }

  const dailyUUID = state.newUUID()
  c('VirDomainSnapshotSchedule', {
    uuid: dailyUUID,
    name: 'daily-7d',
    rrules: [{ uuid: state.newUUID(), name: 'Nightly', rrule: 'FREQ=DAILY;INTERVAL=1', dtstart: '2025-01-01T01:00:00Z', localRetentionDurationSeconds: 7 * DAY, remoteRetentionDurationSeconds: 14 * DAY, replication: true }]
  })
  const hourlyUUID = state.newUUID()
  c('VirDomainSnapshotSchedule', {
    uuid: hourlyUUID,
    name: 'hourly-24h-weekly-4w',
    rrules: [
      { uuid: state.newUUID(), name: 'Hourly', rrule: 'FREQ=HOURLY;INTERVAL=1', dtstart: '2025-01-01T00:15:00Z', localRetentionDurationSeconds: DAY, remoteRetentionDurationSeconds: 0, replication: true },
      { uuid: state.newUUID(), name: 'Weekly', rrule: 'FREQ=WEEKLY;BYDAY=SU', dtstart: '2025-01-05T02:00:00Z', localRetentionDurationSeconds: 28 * DAY, remoteRetentionDurationSeconds: 56 * DAY, replication: true }
    ]
  })

  const plans = planVms(rng, opts.vms)
  let nodeTurn = 0
  plans.forEach((plan, index) => {
    const created = SEED_EPOCH - rng.int(20, 700) * DAY + rng.int(0, DAY)
    const node = nodes[nodeTurn++ % nodes.length] as SimRecord
    const onNode = plan.state === 'RUNNING' || plan.state === 'PAUSED' || plan.state === 'BLOCKED'
    const vm = newVm(state, {
      name: plan.name,
      description: plan.description,
      operatingSystem: plan.windows ? 'os_windows_server_2012' : 'os_other',
      state: plan.state,
      mem: plan.memGiB * GIB,
      numVCPU: plan.vcpu,
      tags: plan.tags,
      machineType: MACHINE_TYPES[plan.machine],
      nodeUUID: onNode ? node.uuid : '',
      lastSeenRunningOnNodeUUID: node.uuid,
      guestAgentState: plan.state === 'RUNNING' ? 'AVAILABLE' : 'UNAVAILABLE',
      snapshotScheduleUUID: plan.schedule === 'daily' ? dailyUUID : plan.schedule === 'hourly' ? hourlyUUID : '',
      console: { type: 'VNC', ip: onNode ? node.lanIP as string : '', port: onNode ? 5900 + index : 0, password: '', keymap: 'en-us' },
      created,
      modified: created + rng.int(0, 10) * DAY
    }, created)
    state.vms.set(vm.uuid, vm)
    plan.disksGiB.forEach((gib) => {
      state.attachBlockDevice(vm, newBlockDevice(state, vm, { type: 'VIRTIO_DISK', capacity: gib * GIB, createdTimestamp: created, mountPoints: plan.state === 'RUNNING' ? [plan.windows ? `${String.fromCharCode(67 + vm.blockDevs.length)}:\\` : vm.blockDevs.length === 0 ? '/' : `/data${vm.blockDevs.length}`] : [] }, created))
    })
    if (plan.machine !== 'bios') state.attachBlockDevice(vm, newBlockDevice(state, vm, { type: 'NVRAM', capacity: 540_672, createdTimestamp: created }, created))
    if (plan.machine === 'tpm') state.attachBlockDevice(vm, newBlockDevice(state, vm, { type: 'VTPM', capacity: 65_536, createdTimestamp: created }, created))
    if (plan.cdrom !== undefined) state.attachBlockDevice(vm, newBlockDevice(state, vm, { type: 'IDE_CDROM', path: plan.cdrom, createdTimestamp: created }, created))
    const subnet = plan.vlan === 0 ? '127.0.20' : '127.0.100'
    state.attachNetDevice(vm, newNetDevice(state, vm, {
      type: plan.windows && plan.machine === 'bios' ? 'INTEL_E1000' : 'VIRTIO',
      vlan: plan.vlan,
      ipv4Addresses: plan.state === 'RUNNING' ? [`${subnet}.${(index % 200) + 30}`] : []
    }))
    const firstDisk = vm.blockDevs.find((d) => d.type.endsWith('_DISK'))
    vm.bootDevices = [firstDisk?.uuid, plan.cdrom !== undefined ? vm.blockDevs.find((d) => d.type === 'IDE_CDROM')?.uuid : undefined]
      .filter((id): id is string => id !== undefined)
  })
  state.refreshIsoMounts()

  const vms = [...state.vms.values()]
  vms.forEach((vm, index) => {
    const automated = vm.snapshotScheduleUUID === '' ? 0 : index < 12 ? 2 : rng.int(0, 1)
    for (let i = 0; i < automated; i++) {
      const ts = SEED_EPOCH - (automated - i) * DAY + 3600
      addSnapshot(state, rng, vm, { label: '', type: 'AUTOMATED', timestamp: ts, automatedTriggerTimestamp: ts, localRetainUntilTimestamp: ts + 7 * DAY })
    }
    if (index === 2 || index === 5 || (index >= 12 && rng.chance(0.05))) {
      addSnapshot(state, rng, vm, { label: index === 2 ? 'before SQL CU update' : 'pre-upgrade', type: 'USER', timestamp: SEED_EPOCH - 10 * DAY, automatedTriggerTimestamp: 0, localRetainUntilTimestamp: 0 })
    }
  })

  // Every address in the seed is in 127/8 (DNS, syslog, backplane, guests, the DR cluster): nothing here, in tests,
  // benchmarks or a demo, ever dials beyond this machine, even a client that follows an address it was shown.
  // Field names and values as remote_cluster.py reads them (test_remote_cluster.py): replicationOK, remoteNodeUUIDs, ESTABLISHED.
  const dr = c('RemoteClusterConnection', {
    uuid: state.newUUID(),
    remoteClusterInfo: { clusterName: 'hc3-dr', clusterUUID: state.newUUID(), icosVersion: DEFAULT_ICOS_VERSION },
    connectionStatus: 'ESTABLISHED',
    remoteNodeIPs: ['127.0.50.11', '127.0.50.12', '127.0.50.13'],
    remoteNodeUUIDs: [state.newUUID(), state.newUUID(), state.newUUID()],
    replicationOK: true
  })
  const sql = vms.find((vm) => vm.name === 'sql01') ?? vms[0]
  if (sql !== undefined) {
    const rep = c('VirDomainReplication', { uuid: state.newUUID(), sourceDomainUUID: sql.uuid, targetDomainUUID: state.newUUID(), connectionUUID: dr.uuid, enable: true, label: 'sql01 to DR', progress: { percentComplete: 100, blockCountDiff: 0, blockCountSent: 48_211 } })
    sql.replicationUUIDs.push(rep.uuid)
  }

  const clusterID = `HC3-${rng.hex(12).toUpperCase()}`
  const clusterData = Buffer.from(JSON.stringify({ clusterUUID, nodes: nodes.length })).toString('base64')
  const clusterDataHash = rng.hex(64)
  c('Registration', { uuid: SINGLETON_UUIDS.Registration as string, companyName: 'Example Manufacturing Inc.', contact: 'IT Department', phone: '+1 555 0100', email: 'it@example.com', clusterID, clusterData, clusterDataHash, clusterDataHashAccepted: clusterDataHash })
  c('ClusterRegistrationData', { uuid: state.newUUID(), clusterID, clusterData, clusterDataHash })

  c('DNSConfig', { uuid: SINGLETON_UUIDS.DNSConfig as string, searchDomains: ['corp.example.com'], serverIPs: ['127.0.20.30', '127.0.20.31'] })
  c('TimeSource', { uuid: SINGLETON_UUIDS.TimeSource as string, host: 'ntp.corp.example.com' })
  c('TimeZone', { uuid: SINGLETON_UUIDS.TimeZone as string, timeZone: 'America/Chicago' })
  c('AlertSMTPConfig', { uuid: SINGLETON_UUIDS.AlertSMTPConfig as string, smtpServer: 'smtp.corp.example.com', port: 25, useSSL: false, useAuth: false, authUser: '', authPassword: '', fromAddress: 'hc3-prod@corp.example.com' })
  c('AlertEmailTarget', { uuid: state.newUUID(), alertTagUUID: state.newUUID(), emailAddress: 'it-alerts@example.com', resendDelay: 86_400, silentPeriod: 900 })
  c('AlertSyslogTarget', { uuid: state.newUUID(), alertTagUUID: state.newUUID(), host: '127.0.20.60', port: 514, protocol: 'SYSLOG_PROTOCOL_UDP', resendDelay: 86_400, silentPeriod: 900 })
  c('MonitoringConfig', { uuid: state.newUUID(), clusterName: 'hc3-prod', interval: 60, publishers: [], subscribers: [] })
  c('OIDCConfig', {
    uuid: SINGLETON_UUIDS.OIDCConfig as string,
    clientID: 'hypercore',
    sharedSecret: rng.hex(32),
    certificate: '',
    configurationURL: 'https://login.example.com/.well-known/openid-configuration',
    scopes: 'openid+profile',
    authorizationURL: 'https://login.example.com/authorize',
    tokenURL: 'https://login.example.com/token',
    logoutURL: 'https://login.example.com/logout'
  })
  c('NucleusKey', { uuid: state.newUUID(), value: rng.hex(40) })
  c('Update', { uuid: '9.4.32.218410', description: 'HyperCore 9.4.32', changeLog: 'Stability and security fixes; newer guest tools.', buildID: 218_410, majorVersion: 9, minorVersion: 4, revision: 32, timestamp: SEED_EPOCH - 14 * DAY })
  c('VirtualDisk', virtualDiskRecord(state.newUUID(), 'ubuntu-24.04-server-cloudimg-amd64.img', 3_758_096_384, SEED_EPOCH - 30 * DAY))

  const node2 = (nodes[1] ?? nodes[0]) as SimRecord
  // The set drive condition below points at a real hot drive.
  const hotDrive = [...state.collection('Drive').values()].find((d) => d.nodeUUID === node2.uuid && d.type === 'HDD')
  if (hotDrive !== undefined) hotDrive.temperature = 58
  const conditions: Array<[string, string, boolean, string, SimRecord | undefined]> = [
    ['DriveTemperatureHigh', 'WARNING', true, 'A drive in the node runs hotter than 55 °C', node2],
    ['SnapshotScheduleMissed', 'NOTICE', true, 'A scheduled snapshot could not be taken on time', undefined],
    ['DriveHealth', 'ERROR', false, 'A drive reports SMART errors', undefined],
    ['NodeOffline', 'CRITICAL', false, 'A node cannot be reached', undefined],
    ['NodeMemoryUsageHigh', 'WARNING', false, 'Memory use on a node is above 85%', undefined],
    ['ClusterCapacityLow', 'WARNING', false, 'Less than 20% of cluster storage is free', undefined],
    ['TimeSourceUnreachable', 'WARNING', false, 'No configured time source answers', undefined],
    ['RemoteClusterConnectionLost', 'ERROR', false, 'A replication target cluster cannot be reached', undefined],
    ['ReplicationBehind', 'WARNING', false, 'A replication is further behind than its schedule allows', undefined],
    ['PowerSupplyFailure', 'ERROR', false, 'A power supply failed', undefined],
    ['FanFailure', 'ERROR', false, 'A fan failed', undefined]
  ]
  for (const [name, severity, value, description, node] of conditions) {
    c('Condition', { uuid: state.newUUID(), name, severity, value, isOK: !value, description, nodeUUID: node?.uuid ?? '', nodeLANIP: node?.lanIP ?? '', userVisible: true, timestamp: value ? SEED_EPOCH - 2 * 3600 : 0 })
  }
  return state
}

function planVms (rng: Rng, count: number): VmPlan[] {
  const plans = CURATED.slice(0, count)
  const perRole = new Map<string, number>()
  for (let i = plans.length; i < count; i++) {
    const role = rng.pick(ROLES)
    const n = (perRole.get(role.role) ?? 0) + 1
    perRole.set(role.role, n)
    const roll = rng.next()
    const state: VmState = roll < 0.8 ? 'RUNNING' : roll < 0.95 ? 'SHUTOFF' : roll < 0.98 ? 'PAUSED' : 'CRASHED'
    plans.push({
      name: `${role.role}-${String(n).padStart(count > 9999 ? 5 : 4, '0')}`,
      description: `${role.role} server`,
      windows: role.windows,
      vcpu: rng.pick(role.vcpu),
      memGiB: rng.pick(role.mem),
      disksGiB: [...rng.pick(role.disks)],
      tags: `${rng.chance(0.7) ? 'prod' : 'dev'},${role.tags}`,
      state,
      machine: role.windows ? 'uefi' : rng.chance(0.5) ? 'uefi' : 'bios',
      vlan: role.role === 'web' ? 100 : 0,
      schedule: rng.chance(0.6) ? 'daily' : undefined
    })
  }
  return plans
}
