import type { Rng } from './prng.js'
import type { BlockDeviceRecord, NetDeviceRecord, SimRecord, SnapshotRecord, VmRecord } from './types.js'

/** A VM definition written by an export, kept so an import from the same place finds it. */
export interface ExportedVm {
  /** Where it was written, with any credentials masked. */
  location: string
  /** The folder part of the location, lower case and without credentials, for imports that name no file. */
  folder: string
  definition: VmRecord
  exportedAt: number
}

/** The simulated cluster's data: one Map per collection, keyed by UUID, in insertion order. */
export class SimulatorState {
  /** Every collection by its API name (`VirDomain`, `Node`, ...). */
  readonly collections = new Map<string, Map<string, SimRecord>>()
  /** Passwords of users created through the API, by user UUID; never served. */
  readonly passwords = new Map<string, string>()
  /** VMs written by `VirDomain/{uuid}/export`, by normalised folder and file name (no credentials). */
  readonly exports = new Map<string, ExportedVm>()
  /** Bytes received by uploads (`ISO/{uuid}/data`, `VirtualDisk/upload`), by record UUID; the data itself is discarded. */
  readonly uploadedBytes = new Map<string, number>()
  /** The tag of the last task that touched a record, by record UUID (shown as the record's `latestTaskTag`). */
  readonly latestTaskTags = new Map<string, string>()
  /** Nodes taken off the network (their Node records show them offline). */
  readonly downNodes = new Set<string>()
  /** The support tunnel's code while it is open (`/support-api/open`). */
  supportTunnel: number | undefined
  /** The random source for UUIDs and MAC addresses made at run time. */
  readonly rng: Rng
  readonly #issuedMacs = new Set<string>()

  constructor (rng: Rng) {
    this.rng = rng
  }

  /** The collection with this name, created empty on first use. */
  collection<T extends SimRecord = SimRecord> (name: string): Map<string, T> {
    let map = this.collections.get(name)
    if (map === undefined) {
      map = new Map()
      this.collections.set(name, map)
    }
    return map as Map<string, T>
  }

  /** VMs by UUID. */
  get vms (): Map<string, VmRecord> { return this.collection<VmRecord>('VirDomain') }
  /** Block devices by UUID (the same objects as in their VM's `blockDevs`). */
  get blockDevices (): Map<string, BlockDeviceRecord> { return this.collection<BlockDeviceRecord>('VirDomainBlockDevice') }
  /** NICs by UUID (the same objects as in their VM's `netDevs`). */
  get netDevices (): Map<string, NetDeviceRecord> { return this.collection<NetDeviceRecord>('VirDomainNetDevice') }
  /** Snapshots by UUID. */
  get snapshots (): Map<string, SnapshotRecord> { return this.collection<SnapshotRecord>('VirDomainSnapshot') }
  /** Nodes by UUID. */
  get nodes (): Map<string, SimRecord> { return this.collection('Node') }

  /** The one Cluster record. */
  cluster (): SimRecord {
    const first = this.collection('Cluster').values().next()
    if (first.done === true) throw new Error('the simulated cluster has no Cluster record')
    return first.value
  }

  /** A new UUID from the seeded sequence. */
  newUUID (): string {
    return this.rng.uuid()
  }

  /** A MAC address in Scale Computing's OUI (7C:4C:58), unique within this simulator. */
  newMac (): string {
    for (;;) {
      const tail = this.rng.hex(6).toUpperCase()
      const mac = `7C:4C:58:${tail.slice(0, 2)}:${tail.slice(2, 4)}:${tail.slice(4, 6)}`
      if (!this.#issuedMacs.has(mac)) {
        this.#issuedMacs.add(mac)
        return mac
      }
    }
  }

  /** Attaches a block device to its VM (and registers it). */
  attachBlockDevice (vm: VmRecord, dev: BlockDeviceRecord): void {
    this.blockDevices.set(dev.uuid, dev)
    vm.blockDevs.push(dev)
  }

  /** Attaches a NIC to its VM (and registers it). */
  attachNetDevice (vm: VmRecord, dev: NetDeviceRecord): void {
    this.netDevices.set(dev.uuid, dev)
    vm.netDevs.push(dev)
  }

  /** Removes a block device from its VM, its boot order and the device list. */
  detachBlockDevice (uuid: string): void {
    const dev = this.blockDevices.get(uuid)
    if (dev === undefined) return
    this.blockDevices.delete(uuid)
    const vm = this.vms.get(dev.virDomainUUID)
    if (vm !== undefined) {
      vm.blockDevs = vm.blockDevs.filter((d) => d.uuid !== uuid)
      vm.bootDevices = vm.bootDevices.filter((id) => id !== uuid)
    }
    this.refreshIsoMounts()
  }

  /** Removes a NIC from its VM, its boot order and the device list. */
  detachNetDevice (uuid: string): void {
    const dev = this.netDevices.get(uuid)
    if (dev === undefined) return
    this.netDevices.delete(uuid)
    const vm = this.vms.get(dev.virDomainUUID)
    if (vm !== undefined) {
      vm.netDevs = vm.netDevs.filter((d) => d.uuid !== uuid)
      vm.bootDevices = vm.bootDevices.filter((id) => id !== uuid)
    }
  }

  /** Deletes a VM with its devices, snapshots and replications. */
  deleteVm (uuid: string): void {
    const vm = this.vms.get(uuid)
    if (vm === undefined) return
    for (const dev of vm.blockDevs) this.blockDevices.delete(dev.uuid)
    for (const dev of vm.netDevs) this.netDevices.delete(dev.uuid)
    for (const snapUUID of vm.snapUUIDs) this.snapshots.delete(snapUUID)
    for (const [id, rep] of this.collection('VirDomainReplication')) {
      if (rep.sourceDomainUUID === uuid) this.collection('VirDomainReplication').delete(id)
    }
    this.vms.delete(uuid)
    this.refreshIsoMounts()
  }

  /** Recomputes every ISO's `mounts` from the CD-ROMs that point at it. */
  refreshIsoMounts (): void {
    const isos = this.collection('ISO')
    const byPath = new Map<string, Array<{ vmUUID: string, vmName: string }>>()
    for (const dev of this.blockDevices.values()) {
      if (dev.type !== 'IDE_CDROM' || dev.path === '') continue
      const vm = this.vms.get(dev.virDomainUUID)
      if (vm === undefined) continue
      const list = byPath.get(dev.path) ?? []
      list.push({ vmUUID: vm.uuid, vmName: vm.name })
      byPath.set(dev.path, list)
    }
    for (const iso of isos.values()) iso.mounts = byPath.get(iso.path as string) ?? []
  }

  /** The ISO a CD-ROM path or name refers to (`scribe/<uuid>`, the UUID itself or the ISO's name). */
  findIso (ref: string): SimRecord | undefined {
    const isos = this.collection('ISO')
    const direct = isos.get(ref) ?? isos.get(ref.replace(/^scribe\//, ''))
    if (direct !== undefined) return direct
    for (const iso of isos.values()) if (iso.name === ref || iso.path === ref) return iso
    return undefined
  }
}
