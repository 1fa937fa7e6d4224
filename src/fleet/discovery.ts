import type { ClusterConfig } from '../scale/cluster-config.js'
import type { FleetEntry } from './fleet.js'
import type { FleetManagerCluster } from './fleet-manager.js'
import { globMatches, hasTag } from './scope.js'

/** A rule giving credentials to clusters found by Fleet Manager, by name glob or tag: their connection, given a name and address. */
export interface CredentialRule {
  match: { name?: string, tag?: string }
  /** The connection to a discovered cluster of that name at that address (its leader node's LAN address). */
  connectionFor: (name: string, address: string) => ClusterConfig
}

/** What users type for a cluster Fleet Manager names freely ("Store 117 – Boston"): the characters names allow. */
export function clusterNameFor (fleetManagerName: string): string {
  return fleetManagerName.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|-+$/g, '').slice(0, 63) || 'cluster'
}

/**
 * The clusters Fleet Manager lists, as fleet entries: each named for users, tagged as Fleet Manager tags it, and given
 * the connection of the first credentials rule that matches it (by name glob or tag), at its leader node's address.
 * One no rule matches, or without an address, is kept without credentials: listed as such, never dropped.
 */
export function discoveredEntries (found: readonly FleetManagerCluster[], rules: readonly CredentialRule[]): FleetEntry[] {
  const taken = new Map<string, number>()
  return found.map((cluster) => {
    let name = clusterNameFor(cluster.name)
    // Two clusters whose names read the same once cleaned: the second is name-2, and so on.
    const count = (taken.get(name.toLowerCase()) ?? 0) + 1
    taken.set(name.toLowerCase(), count)
    if (count > 1) name = `${name.slice(0, 60)}-${count}`
    const rule = rules.find((r) => (r.match.name === undefined || globMatches(r.match.name, name) || globMatches(r.match.name, cluster.name)) && (r.match.tag === undefined || hasTag(cluster.tags, [r.match.tag])))
    const address = cluster.leaderNodeLanIp.trim()
    let connection
    if (rule !== undefined && address !== '') {
      try {
        connection = rule.connectionFor(name, address)
      } catch {
        // An address the rules cannot use (Fleet Manager sent something odd): listed without credentials.
        connection = undefined
      }
    }
    return { name, tags: cluster.tags, discovered: true, host: address, ...(cluster.id === '' ? {} : { fleetManagerId: cluster.id }), ...(connection === undefined ? {} : { connection }) }
  })
}
