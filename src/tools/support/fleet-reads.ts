import type { FleetAccess, Progress } from '../../gate/tool.js'
import type { FleetMember } from '../../fleet/fleet.js'
import { fanOut, type FanOutResult } from '../../fleet/fan-out.js'
import { globMatches, hasTag } from '../../fleet/scope.js'
import type { ClusterAccess } from '../../gate/cluster-access.js'
import { Type } from '@sinclair/typebox'

/** Clusters read at once by a read across the fleet. */
export const FLEET_CONCURRENCY = 32
/** How long one cluster may take in a read across the fleet. */
export const PER_CLUSTER_MS = 8_000
/** How long a whole read across the fleet may take: within what tool hosts wait for an answer. */
export const FLEET_TOTAL_MS = 18_000

/** What every tool that reads across the fleet is: read-only, on no one cluster, published only with several. */
export const FLEET_READ = {
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  requiresCluster: false,
  fleetOnly: true
} as const

/** Which of the caller's clusters a fleet read covers. */
export const FleetFilterSchema = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only clusters whose name matches: a name or a glob such as "store-1*" (case is ignored).' })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only clusters with this tag.' })),
  site: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only clusters at this site (case is ignored).' }))
}

/** The filter as a tool's input holds it. */
export interface FleetFilter {
  name?: string
  tag?: string
  site?: string
}

/** The caller's clusters that pass the filter, in configured order. */
export function filtered (fleet: FleetAccess, filter: FleetFilter): FleetMember[] {
  return fleet.clusters().filter((m) =>
    (filter.name === undefined || globMatches(filter.name, m.name)) &&
    (filter.tag === undefined || hasTag(m.tags, [filter.tag])) &&
    (filter.site === undefined || m.site?.toLowerCase() === filter.site.toLowerCase()))
}

// How long each cluster's last fleet read took, by name: the slow ones start first next time. Bounded.
const lastMs = new Map<string, number>()
const REMEMBERED = 20_000

function remember (name: string, ms: number): void {
  if (lastMs.size >= REMEMBERED && !lastMs.has(name)) lastMs.delete(lastMs.keys().next().value as string)
  lastMs.set(name, ms)
}

/** Reads each cluster through the caller's view of it, bounded (src/fleet/fan-out.ts), with progress per cluster. */
export async function readEach<T> (fleet: FleetAccess, members: readonly FleetMember[], read: (cluster: ClusterAccess) => Promise<T>, opts: { signal?: AbortSignal, progress?: (p: Progress) => void }): Promise<Array<FanOutResult<T>>> {
  return await fanOut(members, async (member, signal) => {
    const { cluster, release } = fleet.reads(member, signal)
    try {
      return await read(cluster)
    } finally {
      release()
    }
  }, {
    concurrency: FLEET_CONCURRENCY,
    perClusterMs: PER_CLUSTER_MS,
    totalMs: FLEET_TOTAL_MS,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    priority: (member) => lastMs.get(member.name) ?? 0,
    onDone: (done, total, member, ms) => {
      remember(member.name, ms)
      opts.progress?.({ progress: done, total, message: `${done} of ${total} clusters read` })
    }
  })
}

/** How a cluster that could not be read is reported. */
export const UnreadSchema = Type.Object({
  cluster: Type.String(),
  code: Type.String({ description: 'Why: SCALE_TIMEOUT (no answer in time), SCALE_UNREACHABLE, NO_CREDENTIALS, SCALE_AUTH_FAILED, ...' }),
  message: Type.String()
})
