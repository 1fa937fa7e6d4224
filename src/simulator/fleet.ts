import type { Logger } from 'pino'
import type { Catalog } from '../catalog/catalog.js'
import { DEFAULT_SEED, startSimulator, type RunningSimulator } from './index.js'
import { startFleetManager, type RunningFleetManager } from './fleet-manager.js'

/** One cluster of a simulated fleet. */
export interface SimulatedCluster {
  name: string
  tags: string[]
  sim: RunningSimulator
  /** What was done to it so that a fleet read has something to find; "" for a well one. */
  degraded: string
}

/** A running simulated fleet, with its simulated Fleet Manager. */
export interface SimulatedFleet {
  clusters: SimulatedCluster[]
  /** Absent when asked for without one. */
  fleetManager?: RunningFleetManager
  close: () => Promise<void>
}

/** store-01, store-02, ... (zero-padded so they sort). */
export function simulatedName (i: number, count: number): string {
  return `store-${String(i + 1).padStart(Math.max(2, String(count).length), '0')}`
}

/** Tags of the i-th simulated cluster: a region and a kind. */
export function simulatedTags (i: number): string[] {
  return [i % 2 === 0 ? 'east' : 'west', i % 3 === 0 ? 'pos' : 'office']
}

/** The HyperCore version the i-th simulated cluster runs: most the default, every fourth a newer one, a few an older one. */
export function simulatedVersion (i: number): string | undefined {
  if (i % 4 === 3) return '9.7.4.225310'
  if (i % 7 === 5) return '9.4.23.216736'
  return undefined
}

// Every tenth cluster from the third on is wrong in one way, the same ways for the same count: a failed drive, a
// stopped VM, an update under way (the API still answers), a cluster off the network; and one in a hundred (the
// 51st, 151st, ...) answers every call only after a minute, to show it costs no other cluster's answer.
const DEGRADATIONS = [
  { every: 100, at: 50, what: 'answers after 60 s' },
  { every: 10, at: 2, what: 'a failed drive' },
  { every: 10, at: 4, what: 'a stopped VM' },
  { every: 10, at: 6, what: 'an update in progress' },
  { every: 10, at: 8, what: 'unreachable' }
] as const

/**
 * Starts `count` simulated clusters, each on its own port of loopback with its own nodes, VMs and seed, some of
 * them degraded (see DEGRADATIONS), and a simulated Fleet Manager over them. Deterministic for a count and seed.
 */
export async function startSimulatedFleet (opts: { count: number, vms: number, catalog?: Catalog, seed?: number, logger?: Logger, taskDurationMs?: number, fleetManager?: boolean }): Promise<SimulatedFleet> {
  const seed = opts.seed ?? DEFAULT_SEED
  const started: SimulatedCluster[] = []
  try {
    // A few at a time: each makes a certificate, and a thousand at once would starve the event loop.
    for (let i = 0; i < opts.count; i += 8) {
      const batch = await Promise.all(Array.from({ length: Math.min(8, opts.count - i) }, async (_, j) => {
        const index = i + j
        const name = simulatedName(index, opts.count)
        const icosVersion = simulatedVersion(index)
        const sim = await startSimulator({
          ...(icosVersion === undefined ? {} : { icosVersion }),
          ...(opts.catalog === undefined ? {} : { catalog: opts.catalog }),
          vms: opts.vms,
          seed: seed + index,
          ...(opts.taskDurationMs === undefined ? {} : { taskDurationMs: opts.taskDurationMs }),
          ...(opts.logger === undefined ? {} : { logger: opts.logger.child({ cluster: name }) })
        })
        return { name, tags: simulatedTags(index), sim, degraded: '' }
      }))
      started.push(...batch)
    }
    for (const cluster of started) cluster.degraded = await degrade(cluster.sim, started.indexOf(cluster))
    const fleetManager = opts.fleetManager === false ? undefined : await startFleetManager(started)
    return {
      clusters: started,
      ...(fleetManager === undefined ? {} : { fleetManager }),
      async close () {
        await fleetManager?.close()
        await Promise.all(started.map(async (c) => { await c.sim.close() }))
      }
    }
  } catch (err) {
    await Promise.all(started.map(async (c) => { await c.sim.close() }))
    throw err
  }
}

async function degrade (sim: RunningSimulator, index: number): Promise<string> {
  const kind = DEGRADATIONS.find((d) => index % d.every === d.at)
  if (kind === undefined) return ''
  if (kind.what === 'answers after 60 s') {
    sim.faults.set({ latencyMs: 60_000 })
  } else if (kind.what === 'a failed drive') {
    const drive = sim.state.collection('Drive').values().next().value
    if (drive !== undefined) Object.assign(drive, { isHealthy: false, errorCount: 12, reallocatedSectors: 48 })
  } else if (kind.what === 'a stopped VM') {
    const vm = [...sim.state.vms.values()].find((v) => v.state === 'RUNNING')
    if (vm !== undefined) vm.state = 'SHUTOFF'
  } else if (kind.what === 'an update in progress') {
    // A long prepare: the status file says updating while the API still answers.
    sim.startUpdate(undefined, { prepare: 24 * 3600_000 })
  } else {
    for (const node of sim.nodes.list()) await sim.nodes.down(node.lanIP)
  }
  return kind.what
}
