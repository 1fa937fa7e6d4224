import { createHash } from 'node:crypto'
import { Catalog } from '../catalog/catalog.js'
import type { Log } from '../observe/logger.js'
import type { HyperCoreClient } from '../scale/client.js'
import { catalogFromDescription, unreadableSpecNote } from '../scale/live-catalog.js'

/** How each cluster's catalogue is kept. */
export interface ClusterCatalogsOptions {
  log: Log
  /** How long one cluster is given to describe itself (the smaller of its deadline and 10 s at most). */
  waitMs: number
  /** How long a catalogue read from a cluster is kept before it is read again (a cluster update changes it). */
  keepMs?: number
  /** How long a cluster whose spec could not be read uses the bundled catalogue before it is asked again. */
  retryMs?: number
  /** Distinct catalogues kept at once: clusters that describe themselves alike share one. */
  maxDistinct?: number
  now?: () => number
}

interface Entry {
  catalog: Catalog
  until: number
}

const KEEP_MS = 60 * 60_000
const RETRY_MS = 60_000
const MAX_DISTINCT = 16
// Per-cluster entries are small (a reference and a time); the bound only stops a churning discovery from growing it.
const MAX_CLUSTERS = 20_000

/**
 * Each cluster's own API catalogue (SCALE_SCHEMA=auto in a fleet): its live spec and icosVersion, read on the first
 * call that needs it (never at start, so 1,000 clusters are not 1,000 spec downloads), merged with the bundled
 * catalogue, and kept for an hour. Clusters whose version and spec are the same share one catalogue, so a fleet on
 * three versions holds three. A cluster that cannot describe itself gets the bundled catalogue, saying why, and is
 * asked again a minute later. Reads of one cluster are shared by the calls that wait for it.
 */
export class ClusterCatalogs {
  readonly #opts: ClusterCatalogsOptions
  readonly #now: () => number
  readonly #byCluster = new Map<string, Entry>()
  readonly #pending = new Map<string, Promise<Catalog>>()
  readonly #distinct = new Map<string, Catalog>()

  constructor (opts: ClusterCatalogsOptions) {
    this.#opts = opts
    this.#now = opts.now ?? Date.now
  }

  /** Takes a catalogue already read from a cluster (the start reads one) so its first call does not read it again. */
  seed (cluster: string, catalog: Catalog): void {
    const read = catalog.origin === 'cluster'
    this.#remember(cluster.toLowerCase(), catalog, read ? this.#opts.keepMs ?? KEEP_MS : this.#opts.retryMs ?? RETRY_MS)
  }

  /** The catalogue of the cluster a call goes to; never throws (the bundled catalogue, with a note, when it must). */
  async for (cluster: string, client: HyperCoreClient): Promise<Catalog> {
    const key = cluster.toLowerCase()
    const known = this.#byCluster.get(key)
    if (known !== undefined && known.until > this.#now()) return known.catalog
    let pending = this.#pending.get(key)
    if (pending === undefined) {
      pending = this.#read(key, client).finally(() => { this.#pending.delete(key) })
      this.#pending.set(key, pending)
    }
    return await pending
  }

  /** How many distinct catalogues are held (for tests). */
  get distinct (): number {
    return this.#distinct.size
  }

  async #read (key: string, client: HyperCoreClient): Promise<Catalog> {
    // Loaded once per process by Catalog itself.
    const bundled = await Catalog.load()
    let description: Awaited<ReturnType<HyperCoreClient['selfDescription']>>
    try {
      description = await client.selfDescription(this.#opts.waitMs)
    } catch (err) {
      const catalog = bundled.withInfo({ note: unreadableSpecNote(err, this.#opts.log, client.host) })
      this.#remember(key, catalog, this.#opts.retryMs ?? RETRY_MS)
      return catalog
    }
    // Alike means the same version and the same spec, byte for byte as parsed: then one catalogue serves both.
    const digest = createHash('sha256').update(description.icosVersion ?? '').update('\0').update(JSON.stringify(description.spec)).digest('hex')
    let catalog = this.#distinct.get(digest)
    if (catalog === undefined) {
      catalog = catalogFromDescription(bundled, description, { log: this.#opts.log, host: client.host })
      this.#distinct.set(digest, catalog)
      // The oldest distinct one goes first; clusters still pointing at it keep it until their entry expires.
      if (this.#distinct.size > (this.#opts.maxDistinct ?? MAX_DISTINCT)) this.#distinct.delete(this.#distinct.keys().next().value as string)
    }
    this.#remember(key, catalog, this.#opts.keepMs ?? KEEP_MS)
    return catalog
  }

  #remember (key: string, catalog: Catalog, forMs: number): void {
    this.#byCluster.delete(key)
    this.#byCluster.set(key, { catalog, until: this.#now() + forMs })
    if (this.#byCluster.size > MAX_CLUSTERS) this.#byCluster.delete(this.#byCluster.keys().next().value as string)
  }
}
