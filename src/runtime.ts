import type { Logger } from 'pino'
import type { Config } from './config/config.js'
import type { ClusterConfig } from './scale/cluster-config.js'
import { Catalog } from './catalog/catalog.js'
import { Metrics } from './observe/metrics.js'
import { HyperCoreClient } from './scale/client.js'
import type { ClusterInfo } from './scale/cluster-info.js'
import { catalogView, LIVE_SPEC_WAIT_MS, loadCatalog } from './scale/live-catalog.js'

/** The long-lived pieces every face is built around (the catalog, the cluster connection, metrics), and how to release them. */
export interface Runtime {
  catalog: Catalog
  /** The one cluster connection: the gate calls tools through it, and /health reads its readiness view. */
  cluster?: HyperCoreClient
  metrics?: Metrics
  /** How /health describes the cluster side. */
  clusterInfo: ClusterInfo
  /** Lines for the start banner (e.g. the simulator's credentials). */
  banner: string[]
  close: () => Promise<void>
}

/**
 * Connects the cluster side (the configured cluster, or else the embedded simulator) and loads the catalog. With
 * SCALE_SCHEMA=auto the cluster's own spec is asked for before the server starts, for at most the smaller of
 * SCALE_TIMEOUT_MS and 10 s; past that, or on any failure, the bundled catalog is used and the reason logged.
 */
export async function createRuntime (config: Config, log: Logger): Promise<Runtime> {
  const metrics = new Metrics()
  const observer = metrics.clusterObserver()
  const clientLog = log.child({ component: 'hypercore' })
  const catalogLog = log.child({ component: 'catalog' })

  if (config.cluster !== undefined) {
    const cluster = new HyperCoreClient(config.cluster, { log: clientLog, observer, discoverNodes: true })
    let catalog: Catalog
    try {
      catalog = await loadCatalog(config.schema, { client: cluster, log: catalogLog, waitMs: Math.min(config.cluster.timeoutMs, LIVE_SPEC_WAIT_MS) })
    } catch (err) {
      await cluster.close()
      throw err
    }
    const tls = transportLine(config.cluster)
    const nodes = [`  ${cluster.failover.summary}`]
    return {
      catalog,
      cluster,
      metrics,
      clusterInfo: { mode: 'cluster', cluster: cluster.host, catalog: catalogView(catalog) },
      banner: [`HyperCore cluster: ${config.cluster.url}/rest/v1 as ${config.cluster.username} (${tls}).`, ...nodes, catalogLine(catalog)],
      async close () { await cluster.close() }
    }
  }

  // Loaded here, not above: the simulator is a Fastify server, which a configured cluster (and so the stdio face) does without.
  const { clusterConfigFor, startSimulator } = await import('./simulator/index.js')
  // The simulator routes and validates with the bundled catalog (or the SCALE_SCHEMA file) and serves it as its spec.
  const simulatorCatalog = await Catalog.load(config.schema.kind === 'file' ? config.schema.file : undefined)
  const simulator = await startSimulator({ catalog: simulatorCatalog, vms: config.simulator.vms, logger: log.child({ component: 'simulator' }) })
  // The simulator's certificate is self-signed; pinning its fingerprint exercises the same TLS path as a real cluster.
  const { timeoutMs, maxConnections, bufferedBytes } = config.simulator
  const cluster = new HyperCoreClient(clusterConfigFor(simulator, { timeoutMs, maxConnections, bufferedBytes }), { log: clientLog, observer })
  const catalog = config.schema.kind === 'file'
    ? simulatorCatalog
    : await loadCatalog(config.schema, { client: cluster, log: catalogLog, waitMs: Math.min(timeoutMs, LIVE_SPEC_WAIT_MS) })
  return {
    catalog,
    cluster,
    metrics,
    clusterInfo: { mode: 'simulator', cluster: cluster.host, catalog: catalogView(catalog) },
    banner: [
      'SIMULATED CLUSTER: no SCALE_HOST is set, so the tools talk to the embedded HyperCore simulator, not real hardware.',
      `  simulator: ${simulator.url}/rest/v1 (user "${simulator.username}", password "${simulator.password}", ${config.simulator.vms} VMs)`,
      '  Set SCALE_HOST, SCALE_USERNAME and SCALE_PASSWORD to use a real cluster.',
      catalogLine(catalog)
    ],
    async close () {
      await cluster.close()
      await simulator.close()
    }
  }
}

// How the connection to the cluster is protected. An http:// cluster has no certificate to check, whatever the TLS
// settings say, so the line says what plain HTTP means instead.
function transportLine (cluster: ClusterConfig): string {
  if (new URL(cluster.url).protocol === 'http:') return 'plain HTTP: not encrypted, the password and session cross the network in clear'
  if (cluster.tlsFingerprint !== undefined) return `certificate pinned by SHA-256 fingerprint${cluster.tlsFingerprint.includes(',') ? ` (${cluster.tlsFingerprint.split(',').length} pins)` : ''}`
  if (cluster.caFile !== undefined) return `certificate checked against ${cluster.caFile}`
  return cluster.insecureTls ? 'certificate NOT verified' : 'certificate verified against the system CAs'
}

function catalogLine (catalog: Catalog): string {
  const version = catalog.apiVersion === undefined ? '' : ` (HyperCore ${catalog.apiVersion})`
  if (catalog.origin === 'cluster') return `API catalog: the cluster's own spec${version}, merged with the bundled descriptions: ${catalog.operations.length} operations.`
  if (catalog.origin === 'file') return `API catalog: ${catalog.source} (${catalog.operations.length} operations).`
  return `API catalog: the bundled HyperCore 9.4 one${version} (${catalog.operations.length} operations)${catalog.note === undefined ? '' : `. ${catalog.note}`}`
}
