import { Type } from '@sinclair/typebox'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { getRecords, OFF_STATES, plannedCall, resolveVm, type VmInfo } from './support/cluster-records.js'
import { VM_ARGUMENT } from './get-vm.js'
import { formatBitRate, formatByteRate, formatBytes, formatPercent } from './support/units.js'

const OutputSchema = Type.Object({
  vm: Type.String(),
  uuid: Type.String(),
  state: Type.String(),
  cpu: Type.String({ description: 'CPU use, e.g. "12.5%" (of its vCPUs).' }),
  memory: Type.String({ description: 'Memory it holds, e.g. "8 GiB, all held while it runs": HyperCore reserves a VM\'s whole memory; use inside the guest is not reported.' }),
  diskRead: Type.String({ description: 'e.g. "3.2 MB/s, 45 IOPS".' }),
  diskWrite: Type.String(),
  networkIn: Type.String({ description: 'e.g. "1.2 Mbit/s".' }),
  networkOut: Type.String(),
  sampledAt: Type.String({ description: 'When the cluster took the figures (ISO 8601), or "" when it did not say.' }),
  notes: Type.Optional(Type.Array(Type.String()))
})

function num (value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

function rates (stats: Record<string, unknown>): { readBps: number, writeBps: number, readIops: number, writeIops: number } {
  const out = { readBps: 0, writeBps: 0, readIops: 0, writeIops: 0 }
  const disks = Array.isArray(stats.vsdStats) ? stats.vsdStats : []
  for (const disk of disks) {
    const list = Array.isArray((disk as { rates?: unknown }).rates) ? (disk as { rates: unknown[] }).rates : []
    const rate = (list.at(-1) ?? {}) as Record<string, unknown>
    out.readBps += num(rate.readKibibytesPerSecond) * 1024
    out.writeBps += num(rate.writeKibibytesPerSecond) * 1024
    out.readIops += num(rate.readsPerSecond)
    out.writeIops += num(rate.writesPerSecond)
  }
  return out
}

/** `vm_stats`: a VM's live usage in units people read. */
export default defineTool({
  name: 'vm_stats',
  summary: 'Show a VM\'s CPU, memory, disk and network use',
  description: 'A VM\'s live CPU %, memory, disk MB/s and IOPS, network Mbit/s.',
  tags: ['VMs'],
  input: Type.Object({ vm: VM_ARGUMENT }, { additionalProperties: false }),
  output: OutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  requiresCluster: true,
  async plan (input, ctx): Promise<Plan<VmInfo>> {
    const vm = await resolveVm(requireCluster(ctx), input.vm)
    return { calls: [plannedCall(ctx.catalog, 'GET', `/VirDomainStats/${vm.uuid}`)], prepared: vm }
  },
  async handler (_input, ctx) {
    const vm = ctx.plan.prepared
    const stats = ((await getRecords(requireCluster(ctx), `/VirDomainStats/${vm.uuid}`))[0] ?? {}) as Record<string, unknown>
    const disk = rates(stats)
    const off = OFF_STATES.has(vm.state)
    const seconds = num(stats.timestamp)
    const notes = off ? [`The VM is ${vm.state}, so it uses nothing now.`] : []
    return {
      vm: vm.name,
      uuid: vm.uuid,
      state: vm.state,
      cpu: formatPercent(num(stats.cpuUsage)),
      memory: off ? `none (${formatBytes(vm.memBytes)} when it runs)` : `${formatBytes(vm.memBytes)}, all held while it runs`,
      diskRead: `${formatByteRate(disk.readBps)}, ${Math.round(disk.readIops)} IOPS`,
      diskWrite: `${formatByteRate(disk.writeBps)}, ${Math.round(disk.writeIops)} IOPS`,
      networkIn: formatBitRate(num(stats.rxBitRate)),
      networkOut: formatBitRate(num(stats.txBitRate)),
      sampledAt: seconds > 0 ? new Date(seconds * 1000).toISOString() : '',
      ...(notes.length === 0 ? {} : { notes })
    }
  }
})
