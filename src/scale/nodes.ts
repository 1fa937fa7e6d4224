/** Most node addresses kept (HyperCore clusters have up to 8 nodes; a few more leaves room for SCALE_NODES spares). */
export const MAX_NODES = 16

// What a lanIP may look like: an IPv4 or IPv6 address, or a host name. Anything else is not used as an address.
const ADDRESS = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$|^[0-9A-Fa-f:.]+$/

/** The host (and port) of an origin, for display: `https://10.0.0.6:8443` → `10.0.0.6:8443`. */
export function hostOf (origin: string): string {
  return new URL(origin).host
}

/** Which node addresses calls may fail over to, and the line the client logs about it at start. */
export interface FailoverPolicy {
  /** Whether the addresses `GET /Node` reports are used; SCALE_NODES always are. */
  learn: boolean
  /** One sentence for the log and the start banner. */
  summary: string
}

/**
 * A cluster's answer decides where the password goes next only when every node has to prove it belongs to the
 * cluster: its certificate pinned (SCALE_TLS_FINGERPRINT) or valid for its address (SCALE_CA_FILE, the system CAs).
 * Without that (SCALE_INSECURE_TLS=true, plain http://) a cluster, or anyone on the path, could name any address
 * and the client would log in there; only SCALE_NODES, which the operator wrote, is used then.
 */
export function failoverPolicy (origin: string, tls: 'verify' | 'pin' | 'insecure', given: readonly string[] = []): FailoverPolicy {
  const listed = given.length === 0 ? 'no SCALE_NODES' : `SCALE_NODES (${given.map(hostOf).join(', ')})`
  const plain = new URL(origin).protocol === 'http:'
  if (plain || tls === 'insecure') {
    const why = plain ? 'the cluster is plain http://' : 'SCALE_INSECURE_TLS=true'
    return { learn: false, summary: `Failover: only to ${listed}; node addresses reported by GET /Node are not used, since ${why} and no node proves it belongs to the cluster (list the nodes in SCALE_NODES, or pin their certificates with SCALE_TLS_FINGERPRINT).` }
  }
  const proof = tls === 'pin' ? 'presents a pinned certificate' : 'presents a certificate valid for its address'
  return { learn: true, summary: `Failover: to ${listed} and to the node addresses reported by GET /Node; every node is used only if it ${proof}.` }
}

/**
 * The addresses a cluster's API answers on, since a HyperCore cluster has no virtual IP: the configured one first,
 * then SCALE_NODES, then each node's `lanIP` as `GET /Node` reports it (with the configured scheme and port). Calls
 * go to the current node; when it stops answering, a call moves on to the next and that node becomes current.
 */
export class ClusterNodes {
  readonly #protocol: string
  readonly #port: string
  readonly #origins: string[]
  readonly #learns: boolean
  #current = 0

  /** `configured` and `given` are origins (`https://10.0.0.5`); given ones are used as they are. With `learn` false, `learn()` adds nothing. */
  constructor (configured: string, given: readonly string[] = [], opts: { learn?: boolean } = {}) {
    const url = new URL(configured)
    this.#protocol = url.protocol
    this.#port = url.port
    this.#origins = [url.origin]
    this.#learns = opts.learn ?? true
    for (const origin of given) this.#add(new URL(origin).origin)
  }

  /** The origin calls go to now. */
  get current (): string {
    return this.#origins[this.#current] as string
  }

  /** Every known origin, the configured one first. */
  list (): string[] {
    return [...this.#origins]
  }

  /** The origins one call tries, in order: the current node, then the others in the order they were learned. */
  order (): string[] {
    return [...this.#origins.slice(this.#current), ...this.#origins.slice(0, this.#current)]
  }

  /** Makes a known origin the one calls go to. */
  use (origin: string): void {
    const index = this.#origins.indexOf(origin)
    if (index >= 0) this.#current = index
  }

  /** Learns node addresses from `GET /Node` records (their `lanIP`); answers the origins that were new. */
  learn (records: unknown): string[] {
    if (!this.#learns || !Array.isArray(records)) return []
    const added: string[] = []
    for (const record of records) {
      const lanIP = record !== null && typeof record === 'object' ? (record as { lanIP?: unknown }).lanIP : undefined
      const origin = typeof lanIP === 'string' ? this.#originFor(lanIP.trim()) : undefined
      if (origin !== undefined && this.#add(origin)) added.push(origin)
    }
    return added
  }

  #originFor (address: string): string | undefined {
    if (address === '' || address === '0.0.0.0' || address === '::' || !ADDRESS.test(address)) return undefined
    const host = address.includes(':') ? `[${address}]` : address
    try {
      return new URL(`${this.#protocol}//${host}${this.#port === '' ? '' : `:${this.#port}`}`).origin
    } catch {
      return undefined
    }
  }

  #add (origin: string): boolean {
    if (this.#origins.includes(origin) || this.#origins.length >= MAX_NODES) return false
    this.#origins.push(origin)
    return true
  }
}
