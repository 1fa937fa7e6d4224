/**
 * Everything one cluster connection is built from, as plain data: where the cluster is (its address and other
 * nodes), the account, the TLS policy, the session file and the limits. src/config/config.ts reads one from SCALE_*; a
 * fleet reads one per cluster. Two connections built from two of these share nothing.
 */
export interface ClusterConfig {
  /** What users call the cluster; its host when absent. */
  name?: string
  /** Origin only, e.g. `https://10.0.0.5` or `https://10.0.0.5:8443`; the client adds `/rest/v1`. */
  url: string
  username: string
  password: string
  auth: 'local' | 'oidc'
  /** The deadline of one call (SCALE_TIMEOUT_MS). */
  timeoutMs: number
  /** Where the login session is kept across restarts; absent keeps it in memory only. */
  sessionFile?: string
  caFile?: string
  /** SHA-256 certificate fingerprints, upper-case hex with colons, comma-separated; any of them is trusted on any node. */
  tlsFingerprint?: string
  /** Other nodes' origins to fail over to (SCALE_NODES), besides those learned from `GET /Node`. */
  nodes?: string[]
  insecureTls: boolean
  /** Most sockets open to the cluster at once (SCALE_MAX_CONNECTIONS). */
  maxConnections?: number
  /** Cluster answer bytes held in memory at once across calls (SCALE_MAX_BUFFERED_MB). */
  bufferedBytes?: number
}
