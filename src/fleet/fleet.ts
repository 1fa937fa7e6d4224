import { AppError } from '../errors/app-error.js'
import type { Log } from '../observe/logger.js'
import { HyperCoreClient, type HyperCoreClientOptions } from '../scale/client.js'
import type { ClusterConfig } from '../scale/cluster-config.js'
import { closestNames } from '../text/closest-names.js'
import { inScope, type ClusterScope } from './scope.js'
import type { FleetManagerClient } from './fleet-manager.js'

/** Who is asking, as far as the fleet cares: a name for messages and the scope that limits what it sees. */
export interface ScopedCaller {
  name: string
  scope?: ClusterScope
}

/** One cluster of the fleet as callers see it (never its credentials). */
export interface FleetMember {
  name: string
  tags: readonly string[]
  site?: string
  /** Host (and port) of the address it is reached at. */
  host: string
  /** Whether the server holds credentials for it; a cluster without can be listed but not called. */
  credentials: boolean
  /** Found by Fleet Manager (rather than configured). */
  discovered?: boolean
  /** Its id in Fleet Manager, when found there: what ties Fleet Manager's inventory to it. */
  fleetManagerId?: string
}

/** A cluster the fleet is built from: a connection to open when first used, or one already open (the simulator, tests). */
export interface FleetEntry {
  name: string
  tags?: readonly string[]
  site?: string
  connection?: ClusterConfig
  client?: HyperCoreClient
  /** Where the address is when there is neither connection nor client (a discovered cluster without credentials). */
  host?: string
  /** Found by Fleet Manager: replaced at each refresh (configured ones never are). */
  discovered?: boolean
  fleetManagerId?: string
}

/** How the fleet opens connections. */
export interface FleetOptions {
  log?: Log
  /** The log each cluster's connection writes to (its lines name the cluster); `log` when absent. */
  clientLog?: (name: string) => Log
  client?: Omit<HyperCoreClientOptions, 'log'>
  /** Connections kept open at once; the least recently used idle one closes to make room (its session file stays). */
  maxOpen?: number
  /** The cluster a call without `cluster` goes to when the caller sees several (DEFAULT_CLUSTER). */
  defaultCluster?: string
  /** SC//Fleet Manager, when configured: the inventory list_clusters and find_vms read in one paged call. */
  manager?: FleetManagerClient
}

/** A cluster connection held for one call; the fleet never closes a leased one. */
export interface Lease {
  member: FleetMember
  client: HyperCoreClient
  release: () => void
}

/** At most this many names are spelled out in an error; the rest are counted. */
const NAMES_SHOWN = 20
const DEFAULT_MAX_OPEN = 100

interface Slot {
  member: FleetMember
  connection?: ClusterConfig
  client?: HyperCoreClient
  /** Whether the fleet opened the client (and so closes it); a given client belongs to whoever gave it. */
  owned: boolean
  leases: number
  lastUsed: number
  /** Closes a connection that was replaced while leased, once the last lease ends. */
  retiring?: () => void
}

function slotFor (entry: FleetEntry): Slot {
  const host = entry.client?.host ?? (entry.connection === undefined ? entry.host ?? '' : new URL(entry.connection.url).host)
  const member: FleetMember = {
    name: entry.name,
    tags: entry.tags ?? [],
    host,
    credentials: entry.client !== undefined || entry.connection !== undefined,
    ...(entry.site === undefined ? {} : { site: entry.site }),
    ...(entry.discovered === true ? { discovered: true } : {}),
    ...(entry.fleetManagerId === undefined ? {} : { fleetManagerId: entry.fleetManagerId })
  }
  return { member, owned: entry.client === undefined, leases: 0, lastUsed: 0, ...(entry.connection === undefined ? {} : { connection: entry.connection }), ...(entry.client === undefined ? {} : { client: entry.client }) }
}

/**
 * The clusters behind this server. Each has its own connection (session, pool, TLS, failover, update watch), opened
 * on first use and closed again when more than `maxOpen` are open and it is idle: 1,000 configured clusters are not
 * 1,000 logins at start nor 1,000 idle connections. A caller sees only the clusters in its scope; to a caller, a
 * cluster outside it does not exist (not listed, not found, never named in an error or hint).
 */
export class Fleet {
  readonly #slots = new Map<string, Slot>()
  readonly #order: Slot[] = []
  readonly #opts: FleetOptions
  readonly #maxOpen: number
  #tick = 0
  #closed = false

  constructor (entries: readonly FleetEntry[], opts: FleetOptions = {}) {
    this.#opts = opts
    this.#maxOpen = opts.maxOpen ?? DEFAULT_MAX_OPEN
    for (const entry of entries) {
      const key = entry.name.toLowerCase()
      if (this.#slots.has(key)) throw new Error(`the cluster name "${entry.name}" is used twice`)
      const slot = slotFor(entry)
      this.#slots.set(key, slot)
      this.#order.push(slot)
    }
    if (opts.defaultCluster !== undefined && !this.#slots.has(opts.defaultCluster.toLowerCase())) {
      throw new Error(`DEFAULT_CLUSTER names "${opts.defaultCluster}", which is not one of the configured clusters`)
    }
  }

  /** Fleet Manager, when the server reads its inventory from there. */
  get manager (): FleetManagerClient | undefined {
    return this.#opts.manager
  }

  /** How many clusters there are (for the server, never for a caller: callers count only their own). */
  get size (): number {
    return this.#order.length
  }

  /** Connections open now. */
  get open (): number {
    return this.#order.filter((s) => s.client !== undefined).length
  }

  /** Every cluster, in configured order (for /health and metrics, which show counts, not a caller's view). */
  members (): FleetMember[] {
    return this.#order.map((s) => s.member)
  }

  /** The clusters a caller may see, in configured order. */
  visibleTo (caller: ScopedCaller): FleetMember[] {
    return this.#order.filter((s) => inScope(caller.scope, s.member)).map((s) => s.member)
  }

  /**
   * The cluster a call goes to: the named one (case ignored) among the caller's, or, with no name, the caller's only
   * cluster or DEFAULT_CLUSTER. Throws NAME_NOT_FOUND (closest of the caller's names), CLUSTER_REQUIRED or NO_CLUSTER.
   */
  resolve (caller: ScopedCaller, name?: string): FleetMember {
    // Every call names its cluster: found by key, not by scanning the fleet; the caller's list only for errors.
    const named = name === undefined ? undefined : this.#slots.get(name.trim().toLowerCase())?.member
    if (named !== undefined && inScope(caller.scope, named)) return named
    const visible = this.visibleTo(caller)
    if (visible.length === 0) throw new AppError('NO_CLUSTER', `No cluster is in the scope of the caller "${caller.name}"; ask the operator to add clusters or tags to its entry in AUTH_FILE.`)
    if (name !== undefined) {
      const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name
      const close = closestNames(name.slice(0, 256), visible, 5).map((m) => m.name)
      throw new AppError('NAME_NOT_FOUND', `No cluster is named "${shown}" (case is ignored).${close.length > 0 ? ` Closest: ${close.join(', ')}.` : ''} list_clusters shows yours.`, { details: { candidates: close.map((n) => ({ name: n })) } })
    }
    if (visible.length === 1) return visible[0] as FleetMember
    const fallback = this.#opts.defaultCluster?.toLowerCase()
    const chosen = fallback === undefined ? undefined : visible.find((m) => m.name.toLowerCase() === fallback)
    if (chosen !== undefined) return chosen
    const names = visible.slice(0, NAMES_SHOWN).map((m) => m.name)
    const more = visible.length > NAMES_SHOWN ? ` and ${visible.length - NAMES_SHOWN} more (list_clusters shows them)` : ''
    throw new AppError('CLUSTER_REQUIRED', `This server fronts several clusters: say which with "cluster" (${names.join(', ')}${more}).`, { details: { candidates: names.map((n) => ({ name: n })) } })
  }

  /** The connection to a cluster, opened if need be, held until `release()`. Throws NO_CREDENTIALS for a cluster without. */
  lease (member: FleetMember): Lease {
    if (this.#closed) throw new AppError('SHUTTING_DOWN', 'The server is shutting down; call again once it is back.')
    const slot = this.#slots.get(member.name.toLowerCase())
    if (slot === undefined) throw new AppError('NAME_NOT_FOUND', `No cluster is named "${member.name}".`)
    if (slot.client === undefined) {
      if (slot.connection === undefined) throw new AppError('NO_CREDENTIALS', `The server holds no credentials for the cluster "${member.name}": add a rule for it to SCALE_CLUSTERS_FILE.`)
      this.#makeRoom()
      slot.client = new HyperCoreClient(slot.connection, { ...this.#opts.client, discoverNodes: true, ...this.#clientLog(member.name) })
    }
    slot.leases++
    slot.lastUsed = ++this.#tick
    let released = false
    return {
      member: slot.member,
      client: slot.client,
      release: () => {
        if (released) return
        released = true
        slot.leases--
        if (slot.leases === 0 && slot.retiring !== undefined) {
          const close = slot.retiring
          slot.retiring = undefined
          close()
        }
      }
    }
  }

  /**
   * Takes the clusters Fleet Manager lists now: new ones join, those no longer listed leave (their connection closes
   * once idle), changed ones get their new labels and address. Configured clusters are never touched, and a discovered
   * name that a configured cluster already has is left out.
   */
  sync (discovered: readonly FleetEntry[]): { added: number, removed: number, changed: number } {
    let added = 0
    let removed = 0
    let changed = 0
    const seen = new Set<string>()
    for (const entry of discovered) {
      const key = entry.name.toLowerCase()
      if (seen.has(key)) continue
      seen.add(key)
      const old = this.#slots.get(key)
      if (old !== undefined && old.member.discovered !== true) continue
      const next = slotFor({ ...entry, discovered: true })
      if (old === undefined) {
        this.#slots.set(key, next)
        this.#order.push(next)
        added++
        continue
      }
      const sameConnection = JSON.stringify(old.connection ?? null) === JSON.stringify(next.connection ?? null)
      if (sameConnection && JSON.stringify(old.member) === JSON.stringify(next.member)) continue
      changed++
      old.member = next.member
      if (!sameConnection) {
        this.#retire(old)
        old.connection = next.connection
      }
    }
    for (const slot of [...this.#order]) {
      if (slot.member.discovered !== true || seen.has(slot.member.name.toLowerCase())) continue
      this.#slots.delete(slot.member.name.toLowerCase())
      this.#order.splice(this.#order.indexOf(slot), 1)
      this.#retire(slot)
      removed++
    }
    return { added, removed, changed }
  }

  // Closes a slot's connection now if idle, else when its last lease ends.
  #retire (slot: Slot): void {
    const client = slot.client
    if (client === undefined || !slot.owned) return
    slot.client = undefined
    const close = (): void => { client.close().catch((err: unknown) => { this.#opts.log?.warn({ cluster: slot.member.name, err }, 'closing a cluster connection failed') }) }
    if (slot.leases === 0) close()
    else slot.retiring = close
  }

  /** The open connection of a cluster, if it has one (for /health; never opens one). */
  openClient (name: string): HyperCoreClient | undefined {
    return this.#slots.get(name.toLowerCase())?.client
  }

  /** Tells every open connection's task waits to answer now (at shutdown). */
  stopWaiting (): void {
    for (const slot of this.#order) slot.client?.stopWaiting()
  }

  /** Closes every connection the fleet opened; sessions stay stored for the next start. */
  async close (): Promise<void> {
    this.#closed = true
    await Promise.all(this.#order.map(async (slot) => {
      const client = slot.client
      if (client === undefined || !slot.owned) return
      slot.client = undefined
      await client.close()
    }))
  }

  #clientLog (name: string): { log?: Log } {
    const log = this.#opts.clientLog?.(name) ?? this.#opts.log
    return log === undefined ? {} : { log }
  }

  // Closes the least recently used idle connections until there is room for one more.
  #makeRoom (): void {
    let open = this.#order.filter((s) => s.client !== undefined && s.owned)
    while (open.length >= this.#maxOpen) {
      const idle = open.filter((s) => s.leases === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0]
      // Every open one is in use: go over the bound for now rather than fail a call.
      if (idle === undefined) return
      const client = idle.client
      idle.client = undefined
      client?.close().catch((err: unknown) => { this.#opts.log?.warn({ cluster: idle.member.name, err }, 'closing an idle cluster connection failed') })
      open = open.filter((s) => s !== idle)
    }
  }
}
