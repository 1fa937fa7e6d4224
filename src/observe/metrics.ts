import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

/** What a cluster call looked like, for the latency histogram. */
export interface ClusterCallSample {
  method: string
  /** Canonical path under /rest/v1; record IDs are folded into `{id}` to keep the label set small. */
  path: string
  /** The HTTP status, or our error code when there was no answer. */
  outcome: string
  ms: number
}

/** Things the HyperCore client reports as they happen. */
export interface ClusterObserver {
  call: (sample: ClusterCallSample) => void
  login: (ok: boolean) => void
}

// A path segment that names one record (a UUID, a task tag, a version) rather than a resource.
const RECORD_ID = /^(?:[0-9a-f]{8}-[0-9a-f-]{27,}|[0-9]+(?:[.:][0-9]+)*|[A-Za-z0-9_-]*_(?:guid|uuid))$/i

/** `/VirDomain/7f3e…/clone` becomes `/VirDomain/{id}/clone`. */
export function operationLabel (path: string): string {
  return path.split('/').map((segment) => RECORD_ID.test(segment) ? '{id}' : segment).join('/')
}

/**
 * The server's Prometheus metrics, in a registry of its own (so tests and several apps in one process do not
 * share counters): tool calls by tool, code and caller; cluster-call latency by operation; logins; open MCP
 * sessions; audit write failures; confirmations requested and given; plus Node's process metrics.
 * @see {@link https://github.com/siimon/prom-client}
 */
export class Metrics {
  readonly registry = new Registry()
  readonly toolCalls = new Counter({ name: 'sah_tool_calls_total', help: 'Tool calls by tool, outcome code (ok or an error code) and caller.', labelNames: ['tool', 'code', 'caller'] as const, registers: [this.registry] })
  readonly clusterCalls = new Histogram({
    name: 'sah_cluster_call_seconds',
    help: 'Cluster calls by method, operation and outcome (HTTP status or error code).',
    labelNames: ['method', 'operation', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry]
  })

  readonly logins = new Counter({ name: 'sah_cluster_logins_total', help: 'Logins to the cluster by result.', labelNames: ['result'] as const, registers: [this.registry] })
  readonly openSessions = new Gauge({ name: 'sah_mcp_sessions', help: 'Open MCP sessions (2025-11-25 protocol).', registers: [this.registry] })
  readonly auditFailures = new Counter({ name: 'sah_audit_write_failures_total', help: 'Audit lines that could not be written (each refused a call).', registers: [this.registry] })
  readonly confirmations = new Counter({ name: 'sah_confirmations_total', help: 'Destructive calls by confirmation step: requested, confirmed, approved, declined, rejected.', labelNames: ['step'] as const, registers: [this.registry] })

  #fleet: (() => { configured: number, connected: number, withoutCredentials: number }) | undefined
  // Counts only: a label per cluster would grow with the fleet (1,000 clusters, 1,000 series).
  readonly fleetClusters = new Gauge({
    name: 'sah_fleet_clusters',
    help: 'Clusters behind this server: configured (or found by Fleet Manager), with a connection open now, and without credentials.',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => {
      const counts = this.#fleet?.()
      if (counts === undefined) return
      this.fleetClusters.set({ state: 'configured' }, counts.configured)
      this.fleetClusters.set({ state: 'connected' }, counts.connected)
      this.fleetClusters.set({ state: 'without_credentials' }, counts.withoutCredentials)
    }
  })

  constructor (opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'sah_' })
  }

  /** The observer the HyperCore client reports to. */
  clusterObserver (): ClusterObserver {
    return {
      call: (s) => this.clusterCalls.observe({ method: s.method, operation: operationLabel(s.path), outcome: s.outcome }, s.ms / 1000),
      login: (ok) => this.logins.inc({ result: ok ? 'ok' : 'failed' })
    }
  }

  /** Reports the fleet's counts at every scrape. */
  watchFleet (counts: () => { configured: number, connected: number, withoutCredentials: number }): void {
    this.#fleet = counts
  }

  /** The text exposition format. */
  async text (): Promise<string> {
    return await this.registry.metrics()
  }
}
