/** The largest answer accepted from the cluster (a 5,000-VM list is about 11 MiB). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024

/** Sockets kept open to one cluster at once unless its config says (SCALE_MAX_CONNECTIONS). */
export const DEFAULT_CONNECTIONS = 16

/** Answer bytes one cluster connection holds in memory at once unless its config says (SCALE_MAX_BUFFERED_MB). */
export const DEFAULT_BUFFERED_BYTES = 256 * 1024 * 1024

/**
 * How long TCP and the TLS handshake to one node may take: a third of the call deadline, between 50 ms and 10 s.
 * A node that takes longer is down, and the rest of the deadline is left for the next node.
 */
export function connectTimeoutMs (deadlineMs: number): number {
  return Math.max(50, Math.min(10_000, Math.floor(deadlineMs / 3)))
}
