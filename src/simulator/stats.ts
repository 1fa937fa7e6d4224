import { missingRecord, type Handler } from './context.js'
import type { VmRecord } from './types.js'

function hash (text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  return h
}

/** Live usage figures for a VM at `nowMs`: smooth waves per VM so numbers move over time but stay plausible; zero when off. */
export function vmStats (vm: VmRecord, nowMs: number): Record<string, unknown> {
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
  const now = sim.clock.now()
  return [...sim.state.vms.values()].map((vm) => vmStats(vm, now))
}

const getVirDomainStats: Handler = ({ sim, params }) => {
  const vm = sim.state.vms.get(params.virDomainUUID as string)
  return vm === undefined ? missingRecord() : [vmStats(vm, sim.clock.now())]
}

/** The usage-figure operations, by `METHOD /template`. */
export const statsHandlers: Record<string, Handler> = {
  'GET /VirDomainStats': listVirDomainStats,
  'GET /VirDomainStats/{virDomainUUID}': getVirDomainStats
}
