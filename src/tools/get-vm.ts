import { Type, type Static } from '@sinclair/typebox'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { nodeLabel, nodesForLabels, plannedCall, resolveVm, scheduleName, type VmInfo } from './support/cluster-records.js'
import { formatBytes, toGiB } from './support/units.js'
import { nameArgument } from './support/argument-limits.js'

/** The `vm` argument every VM tool takes. */
export const VM_ARGUMENT = nameArgument('VM name or UUID.')

const OutputSchema = Type.Object({
  uuid: Type.String(),
  name: Type.String(),
  description: Type.String(),
  state: Type.String({ description: 'RUNNING, SHUTOFF, PAUSED, BLOCKED, SHUTDOWN or CRASHED.' }),
  node: Type.String({ description: 'LAN address of the node it runs on; "" when off.' }),
  cpus: Type.Integer(),
  memoryGiB: Type.Number(),
  machineType: Type.String({ description: 'e.g. scale-8.10; firmware in parentheses (bios, uefi, tpm) when the cluster says.' }),
  operatingSystem: Type.String(),
  tags: Type.Array(Type.String()),
  disks: Type.Array(Type.Object({
    slot: Type.Integer(),
    type: Type.String({ description: 'VIRTIO_DISK, SCSI_DISK, IDE_DISK, IDE_CDROM, NVRAM, VTPM...' }),
    size: Type.String({ description: 'e.g. "80 GiB"; for a CD-ROM, the ISO it holds.' }),
    uuid: Type.String()
  })),
  nics: Type.Array(Type.Object({
    vlan: Type.Integer({ description: '0 is untagged.' }),
    mac: Type.String(),
    type: Type.String(),
    connected: Type.Boolean(),
    ips: Type.Array(Type.String()),
    uuid: Type.String()
  })),
  bootOrder: Type.Array(Type.String({ description: 'A boot device, first boots first, e.g. "VIRTIO_DISK slot 0".' })),
  snapshots: Type.Integer({ description: 'How many snapshots it has (list_snapshots shows them).' }),
  snapshotSchedule: Type.String({ description: 'Name of its snapshot schedule; "" when none.' })
})

/** Static type of get_vm's answer. */
export type VmDetail = Static<typeof OutputSchema>

function bootName (vm: VmInfo, uuid: string): string {
  const disk = vm.disks.find((d) => d.uuid === uuid)
  if (disk !== undefined) return `${disk.type} slot ${disk.slot}`
  const nic = vm.nics.find((n) => n.uuid === uuid)
  if (nic !== undefined) return `NIC ${nic.mac} (VLAN ${nic.vlan})`
  return uuid
}

function kindOrder (type: string): number {
  return type.endsWith('_DISK') ? 0 : type.endsWith('_CDROM') || type.endsWith('_FLOPPY') ? 1 : 2
}

/** `get_vm`: one VM, readably: disks, NICs, boot order, snapshots and schedule, and its node. */
export default defineTool({
  name: 'get_vm',
  summary: 'Show one VM',
  description: 'One VM in full: disks, NICs (VLAN, MAC, IPs), boot order, machine type, snapshots, schedule, node.',
  tags: ['VMs'],
  input: Type.Object({ vm: VM_ARGUMENT }, { additionalProperties: false }),
  output: OutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  requiresCluster: true,
  async plan (input, ctx): Promise<Plan<VmInfo>> {
    // The VM as the plan reads it is the answer: a read has nothing to confirm, so nothing can change in between.
    const vm = await resolveVm(requireCluster(ctx), input.vm)
    const calls = [plannedCall(ctx.catalog, 'GET', `/VirDomain/${vm.uuid}`), plannedCall(ctx.catalog, 'GET', '/Node')]
    if (vm.snapshotScheduleUUID !== '') calls.push(plannedCall(ctx.catalog, 'GET', '/VirDomainSnapshotSchedule'))
    return { calls, prepared: vm }
  },
  async handler (_input, ctx): Promise<VmDetail> {
    const cluster = requireCluster(ctx)
    const vm = ctx.plan.prepared
    // Both only name things (the node's address, the schedule's name), so lists read a moment ago will do; a
    // schedule that cannot be read leaves its name out rather than failing the whole answer.
    const [nodes, schedule] = await Promise.all([
      vm.nodeUUID === '' ? [] : nodesForLabels(cluster),
      scheduleName(cluster, vm.snapshotScheduleUUID)
    ])
    const node = nodes.find((n) => n.uuid === vm.nodeUUID)
    return {
      uuid: vm.uuid,
      name: vm.name,
      description: vm.description,
      state: vm.state,
      node: vm.nodeUUID === '' ? '' : node === undefined ? vm.nodeUUID : nodeLabel(node),
      cpus: vm.cpus,
      memoryGiB: toGiB(vm.memBytes),
      machineType: vm.machineTypeKeyword === '' ? vm.machineType : `${vm.machineType} (${vm.machineTypeKeyword})`,
      operatingSystem: vm.operatingSystem,
      tags: vm.tags,
      // Disks first, then CD-ROMs, then firmware devices (NVRAM, vTPM), each by slot.
      disks: [...vm.disks].sort((a, b) => kindOrder(a.type) - kindOrder(b.type) || a.slot - b.slot).map((d) => ({
        slot: d.slot,
        type: d.type,
        size: d.type === 'IDE_CDROM' ? (d.name === '' ? 'empty' : d.name) : formatBytes(d.capacity),
        uuid: d.uuid
      })),
      nics: vm.nics.map((n) => ({ vlan: n.vlan, mac: n.mac, type: n.type, connected: n.connected, ips: n.ips, uuid: n.uuid })),
      bootOrder: vm.bootDevices.map((uuid) => bootName(vm, uuid)),
      snapshots: vm.snapUUIDs.length,
      snapshotSchedule: schedule
    }
  }
})
